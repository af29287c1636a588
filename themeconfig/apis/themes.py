"""HTTP doors of themes: list/create, detail/update/delete, restore; versions of a theme."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema

from themeconfig import services
from themeconfig.apis.base import IDEMPOTENCY_KEY, IF_MATCH, WorkspaceApi, WorkspaceListApi
from themeconfig.models import ThemeStatus, ThemeVersionStatus
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.errors import FieldError, validation_error
from themeconfig.platform.permissions import Permission
from themeconfig.platform.read_replica import lag_tolerant
from themeconfig.selectors import themes as theme_selectors
from themeconfig.serializers.themes import (
    ThemeCreateSerializer,
    ThemeDetailSerializer,
    ThemeSerializer,
    ThemeUpdateSerializer,
    ThemeVersionSerializer,
    ThemeVersionSummarySerializer,
    VersionCreateSerializer,
)


def _choice(value, choices, name):
    if value is not None and value not in choices:
        raise validation_error([FieldError(f"/{name}", "invalid_choice", f"{name} must be one of {', '.join(choices)}.")])
    return value


def theme_detail(theme) -> dict:
    return ThemeDetailSerializer(theme, context={
        "latest_versions": theme_selectors.latest_versions(theme),
        "active_publication": theme_selectors.active_publication(theme),
    }).data


class ThemeListApi(WorkspaceListApi):
    """Themes of the tenant. Filters: `status`, `property_id`, `search` (in the name), `deleted=only`."""

    required_permission = {"GET": Permission.THEMES_READ, "POST": Permission.THEMES_EDIT}
    serializer_class = ThemeSerializer
    ordering_fields = ["id", "name", "created_at", "updated_at"]

    @extend_schema(operation_id="themes_list", responses=ThemeSerializer(many=True), parameters=[
        OpenApiParameter("status", enum=ThemeStatus.values), OpenApiParameter("property_id", str),
        OpenApiParameter("search", str), OpenApiParameter("deleted", enum=["only", "include"]),
    ])
    @lag_tolerant
    def get(self, request):
        params = request.query_params
        queryset = theme_selectors.theme_list(
            status=_choice(params.get("status"), ThemeStatus.values, "status"),
            property_id=params.get("property_id"), search=params.get("search"),
            deleted=_choice(params.get("deleted"), ["only", "include"], "deleted"),
        )
        return self.paginated(queryset, ThemeSerializer)

    @extend_schema(request=ThemeCreateSerializer, responses={201: ThemeDetailSerializer}, parameters=[IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request):
        theme = services.theme_create(principal=self.principal, **self.body(ThemeCreateSerializer))
        return self.reply(theme_detail(theme), status=201, version=theme.version, location=f"/api/v1/themes/{theme.pk}/")


class ThemeDetailApi(WorkspaceApi):
    """A theme with its active publication and latest versions; PATCH changes it; DELETE soft-deletes it."""

    required_permission = {"GET": Permission.THEMES_READ, "PATCH": Permission.THEMES_EDIT,
                           "DELETE": Permission.THEMES_DELETE}

    @extend_schema(responses=ThemeDetailSerializer)
    def get(self, request, theme_id):
        theme = theme_selectors.theme_get(theme_id)
        return self.reply(theme_detail(theme), version=theme.version)

    @extend_schema(request=ThemeUpdateSerializer, responses=ThemeDetailSerializer, parameters=[IF_MATCH])
    def patch(self, request, theme_id):
        """Changes what is given. Removing a locale from `enabled_locales` while draft or preview-ready
        versions still have locale packs in it answers 409 `MELMASTOON.THEME.LOCALE_PACKS_PRESENT`: one
        `errors[]` entry per pack (path `/enabled_locales`) and `locale_packs: [{version_id,
        version_ordinal, version_status, locale}]`. Send `drop_locale_packs: true` to delete those packs
        with the change. Published and archived versions keep theirs."""
        data = self.body(ThemeUpdateSerializer)
        expected = self.expected(data)
        data.pop("version", None)
        theme = services.theme_update(principal=self.principal, theme_id=theme_id, expected_version=expected, **data)
        return self.reply(theme_detail(theme), version=theme.version)

    @extend_schema(request=None, responses={200: ThemeSerializer}, parameters=[IF_MATCH])
    def delete(self, request, theme_id):
        theme = services.theme_delete(principal=self.principal, theme_id=theme_id, expected_version=self.expected({}))
        return self.reply(ThemeSerializer(theme).data, version=theme.version)


class ThemeRestoreApi(WorkspaceApi):
    """Brings a soft-deleted theme back (409 when another live theme took its slot)."""

    required_permission = Permission.THEMES_DELETE

    @extend_schema(request=None, responses=ThemeDetailSerializer, parameters=[IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, theme_id):
        theme = services.theme_restore(principal=self.principal, theme_id=theme_id)
        return self.reply(theme_detail(theme), version=theme.version)


class ThemeVersionListApi(WorkspaceListApi):
    """The versions of a theme (filter `status`); POST makes a new draft, blank or from `from_version_id`."""

    required_permission = {"GET": Permission.THEMES_READ, "POST": Permission.THEMES_EDIT}
    serializer_class = ThemeVersionSummarySerializer
    ordering = ("-ordinal",)
    ordering_fields = ["ordinal", "created_at", "updated_at"]

    @extend_schema(operation_id="themes_versions_list", responses=ThemeVersionSummarySerializer(many=True),
                   parameters=[OpenApiParameter("status", enum=ThemeVersionStatus.values)])
    @lag_tolerant
    def get(self, request, theme_id):
        theme = theme_selectors.theme_get(theme_id)
        status = _choice(request.query_params.get("status"), ThemeVersionStatus.values, "status")
        return self.paginated(theme_selectors.version_list(theme_id=theme.pk, status=status),
                              ThemeVersionSummarySerializer)

    @extend_schema(request=VersionCreateSerializer, responses={201: ThemeVersionSerializer},
                   parameters=[IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, theme_id):
        version = services.version_create(principal=self.principal, theme_id=theme_id,
                                          **self.body(VersionCreateSerializer))
        return self.reply(ThemeVersionSerializer(version).data, status=201, version=version.version,
                          location=f"/api/v1/versions/{version.pk}/")
