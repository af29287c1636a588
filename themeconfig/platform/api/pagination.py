"""Cursor pagination ordered by id (ids sort by creation time), stable under concurrent inserts."""
from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 200
