"""Use cases of publishing (writes), one module per aggregate."""
from publishing.services.preview_tokens import preview_token_create, preview_token_revoke

__all__ = ["preview_token_create", "preview_token_revoke"]
