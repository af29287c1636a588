"""Settings modules: base (shared), local (developer default), test, production."""
