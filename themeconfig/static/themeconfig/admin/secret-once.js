// The "shown once" page: clicking the secret selects it; Copy puts it on the clipboard and says so.
document.addEventListener("DOMContentLoaded", function () {
  var input = document.querySelector("[data-secret]");
  var button = document.querySelector("[data-copy-secret]");
  var status = document.querySelector("[data-copy-status]");
  if (!input || !button) return;
  input.addEventListener("focus", function () { input.select(); });
  input.addEventListener("click", function () { input.select(); });
  button.addEventListener("click", function () {
    input.select();
    var done = function () { status.textContent = "Copied."; };
    var failed = function () { status.textContent = "Copy failed: select the text and copy it yourself."; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, failed);
    } else {
      try { document.execCommand("copy") ? done() : failed(); } catch (e) { failed(); }
    }
  });
});
