"""Which requests are API requests: the paths under /api/ (read by middleware and error views alike)."""


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")
