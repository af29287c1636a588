"""Cursor pagination ordered by id (ids sort by creation time), stable under concurrent inserts."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from themeconfig.platform.ids import PrefixedIdField, is_valid_id

if TYPE_CHECKING:  # rest_framework.views imports the API settings' classes: no import at run time
    from rest_framework.views import APIView


class CursorPagination(pagination.CursorPagination):
    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset: QuerySet[Any], request: Request,
                          view: APIView | None = None) -> list[Any] | None:
        self._model: type[Model] = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> pagination.Cursor | None:
        # A cursor is client input: DRF checks its offset and direction, but hands the position
        # straight to `<ordering>__gt=`; a NUL there is a PostgreSQL error (500), garbage a
        # meaningless page. A position we could not have written answers "Invalid cursor" (404).
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and not self._is_possible_position(str(cursor.position)):
            raise NotFound(self.invalid_cursor_message)
        return cursor

    def _is_possible_position(self, position: str) -> bool:
        if "\x00" in position:
            return False
        try:
            field = self._model._meta.get_field(self.ordering[0].lstrip("-"))
        except (AttributeError, FieldDoesNotExist):
            return True  # an ordering we cannot check (not a plain field): the NUL check above stands
        if not isinstance(field, Field):
            return True  # a relation, not a column: nothing to check it against
        if isinstance(field, PrefixedIdField):
            return is_valid_id(position, field.prefix)
        try:
            field.get_prep_value(field.to_python(position))
        except (ValidationError, ValueError, TypeError, OverflowError):
            return False
        return True
