"""A DNS server on loopback for tests, answering from a dict through dnspython (no external binary):
`with DnsServer({"_theme-config.a.example.com": ["tcv_…"]}) as dns:` then point the resolver at
127.0.0.1:dns.port. `records` may be changed while it runs; `queries` lists the names asked."""
from __future__ import annotations

import socket
import threading

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


class DnsServer:
    def __init__(self, records: dict[str, list[str]] | None = None, *, servfail: bool = False) -> None:
        self.records = dict(records or {})
        self.servfail = servfail
        self.queries: list[str] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="test-dns", daemon=True)

    def __enter__(self) -> DnsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self._socket.recvfrom(4096)
            except (TimeoutError, OSError):
                continue
            try:
                query = dns.message.from_wire(wire)
            except Exception:  # noqa: BLE001 - garbage in: no answer, like a real server under attack
                continue
            self._socket.sendto(self._answer(query).to_wire(), peer)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = question.name.to_text(omit_final_dot=True).lower()
        self.queries.append(name)
        if self.servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
        elif name not in self.records:
            response.set_rcode(dns.rcode.NXDOMAIN)
        elif question.rdtype == dns.rdatatype.TXT:
            values = ['"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in self.records[name]]
            if values:
                response.answer.append(dns.rrset.from_text_list(question.name, 60, dns.rdataclass.IN,
                                                                dns.rdatatype.TXT, values))
        return response
