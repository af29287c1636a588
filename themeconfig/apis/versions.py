"""HTTP doors of a version and what it holds: detail/edit, preview-ready, archive, content blocks,
navigation per surface, booking flow, e-mail theme and locale packs."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import UnsupportedMediaType

from themeconfig import services
from themeconfig.apis.base import IDEMPOTENCY_KEY, IF_MATCH, WorkspaceApi, WorkspaceListApi
from themeconfig.models import ContentSurface, NavigationSurface
from themeconfig.platform.api.idempotency import idempotent
from themeconfig.platform.api.parsers import MergePatchParser, StrictJSONParser, is_merge_patch
from themeconfig.platform.errors import FieldError, validation_error
from themeconfig.platform.merge_patch import MEDIA_TYPE as MERGE_PATCH_MEDIA_TYPE
from themeconfig.platform.permissions import Permission
from themeconfig.selectors import themes as theme_selectors
from themeconfig.serializers.themes import (
    BookingFlowPutSerializer,
    BookingFlowSerializer,
    ContentBlockCreateSerializer,
    ContentBlockMoveSerializer,
    ContentBlockSerializer,
    ContentBlocksReorderSerializer,
    ContentBlockUpdateSerializer,
    EmailThemePutSerializer,
    EmailThemeSerializer,
    LocalePackPutSerializer,
    LocalePackSerializer,
    NavigationPutSerializer,
    NavigationSerializer,
    PreviewReadyVersionSerializer,
    ThemeVersionDetailSerializer,
    ThemeVersionSerializer,
    VersionedSerializer,
    VersionUpdateSerializer,
)

READ_EDIT = {"GET": Permission.THEMES_READ, "POST": Permission.THEMES_EDIT, "PUT": Permission.THEMES_EDIT,
             "PATCH": Permission.THEMES_EDIT, "DELETE": Permission.THEMES_EDIT}


SURFACE = OpenApiParameter("surface", enum=NavigationSurface.values, location=OpenApiParameter.PATH)


def _without_version(data: dict) -> dict:
    data.pop("version", None)
    return data


class VersionDetailApi(WorkspaceApi):
    """A version with everything it holds; PATCH edits a draft's tokens, layout selections, release notes.

    With `Content-Type: application/json` a given `tokens` or `layout_selections` replaces the whole
    document; with `application/merge-patch+json` (RFC 7396) it is merged into the stored one (`null`
    removes a member), e.g. `{"version": 3, "tokens": {"color": {"primary": "#0b5fff"}}}`. Either
    way the result is validated whole: 422 lists each problem with its JSON pointer.
    """

    required_permission = READ_EDIT
    parser_classes = [StrictJSONParser, MergePatchParser]

    @extend_schema(responses=ThemeVersionDetailSerializer)
    def get(self, request, version_id):
        version = theme_selectors.version_get(version_id, with_children=True)
        return self.reply(ThemeVersionDetailSerializer(version).data, version=version.version)

    @extend_schema(request={"application/json": VersionUpdateSerializer,
                            MERGE_PATCH_MEDIA_TYPE: VersionUpdateSerializer},
                   responses=ThemeVersionSerializer, parameters=[IF_MATCH])
    def patch(self, request, version_id):
        data = self.body(VersionUpdateSerializer)
        expected = self.expected(data)
        version = services.version_update(principal=self.principal, version_id=version_id, expected_version=expected,
                                          as_merge_patch=is_merge_patch(request),
                                          **_without_version(data))
        return self.reply(ThemeVersionSerializer(version).data, version=version.version)


class VersionPreviewReadyApi(WorkspaceApi):
    """Runs every validator over the version and all it holds; 422 lists every problem with its path
    (`errors`) and the warnings apart (`warnings`); a 200 lists the warnings only."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=VersionedSerializer, responses=PreviewReadyVersionSerializer,
                   parameters=[IF_MATCH, IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, version_id):
        version = services.version_mark_preview_ready(principal=self.principal, version_id=version_id,
                                                      expected_version=self.expected(self.body(VersionedSerializer)))
        return self.reply(PreviewReadyVersionSerializer(version).data, version=version.version)


class VersionArchiveApi(WorkspaceApi):
    """Retires a draft or preview-ready version (manual_archive)."""

    required_permission = Permission.THEMES_PUBLISH

    @extend_schema(request=VersionedSerializer, responses=ThemeVersionSerializer,
                   parameters=[IF_MATCH, IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, version_id):
        version = services.version_archive(principal=self.principal, version_id=version_id,
                                           expected_version=self.expected(self.body(VersionedSerializer)))
        return self.reply(ThemeVersionSerializer(version).data, version=version.version)


class ContentBlockListApi(WorkspaceListApi):
    """The version's content blocks (filter `surface`), by surface and position; POST adds one."""

    required_permission = READ_EDIT
    serializer_class = ContentBlockSerializer
    ordering = ("surface", "ordinal")
    ordering_fields = ["surface", "ordinal", "created_at", "updated_at"]

    @extend_schema(operation_id="versions_content_blocks_list", responses=ContentBlockSerializer(many=True),
                   parameters=[OpenApiParameter("surface", enum=ContentSurface.values)])
    def get(self, request, version_id):
        version = theme_selectors.version_get(version_id)
        surface = request.query_params.get("surface")
        if surface is not None and surface not in ContentSurface.values:
            raise validation_error([FieldError("/surface", "invalid_choice", "Not a content surface.")])
        return self.paginated(theme_selectors.content_block_list(version_id=version.pk, surface=surface),
                              ContentBlockSerializer)

    @extend_schema(request=ContentBlockCreateSerializer, responses={201: ContentBlockSerializer},
                   parameters=[IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, version_id):
        block = services.content_block_create(principal=self.principal, version_id=version_id,
                                              **self.body(ContentBlockCreateSerializer))
        return self.reply(ContentBlockSerializer(block).data, status=201, version=block.version,
                          location=f"/api/v1/content-blocks/{block.pk}/")


class ContentBlocksReorderApi(WorkspaceApi):
    """Puts a whole surface in the given order in one request (`block_ids`, each block once)."""

    required_permission = Permission.THEMES_EDIT

    @extend_schema(request=ContentBlocksReorderSerializer, responses=ContentBlockSerializer(many=True),
                   parameters=[IF_MATCH, IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, version_id):
        data = self.body(ContentBlocksReorderSerializer)
        expected = self.expected(data)
        blocks = services.content_blocks_reorder(principal=self.principal, version_id=version_id,
                                                 expected_version=expected, **_without_version(data))
        return self.reply(ContentBlockSerializer(blocks, many=True).data)


class ContentBlockDetailApi(WorkspaceApi):
    """One content block; PATCH edits its body, meta or visibility; DELETE removes it."""

    required_permission = READ_EDIT

    @extend_schema(responses=ContentBlockSerializer)
    def get(self, request, block_id):
        block = theme_selectors.content_block_get(block_id)
        return self.reply(ContentBlockSerializer(block).data, version=block.version)

    @extend_schema(request=ContentBlockUpdateSerializer, responses=ContentBlockSerializer, parameters=[IF_MATCH])
    def patch(self, request, block_id):
        data = self.body(ContentBlockUpdateSerializer)
        expected = self.expected(data)
        block = services.content_block_update(principal=self.principal, block_id=block_id, expected_version=expected,
                                              **_without_version(data))
        return self.reply(ContentBlockSerializer(block).data, version=block.version)

    @extend_schema(request=None, responses={204: None}, parameters=[IF_MATCH])
    def delete(self, request, block_id):
        services.content_block_delete(principal=self.principal, block_id=block_id, expected_version=self.expected({}))
        return self.reply(None, status=204)


class ContentBlockMoveApi(WorkspaceApi):
    """Moves a block to position `ordinal` of its surface."""

    required_permission = Permission.THEMES_EDIT

    @extend_schema(request=ContentBlockMoveSerializer, responses=ContentBlockSerializer,
                   parameters=[IF_MATCH, IDEMPOTENCY_KEY])
    @idempotent
    def post(self, request, block_id):
        data = self.body(ContentBlockMoveSerializer)
        block = services.content_block_move(principal=self.principal, block_id=block_id,
                                            expected_version=self.expected(data), ordinal=data["ordinal"])
        return self.reply(ContentBlockSerializer(block).data, version=block.version)


class NavigationApi(WorkspaceApi):
    """The navigation tree of one surface (header, footer, mobile_drawer); PUT replaces it whole."""

    required_permission = READ_EDIT

    def _surface(self, surface):
        if surface not in NavigationSurface.values:
            raise validation_error([FieldError("/surface", "invalid_choice", "Surface must be header, footer or mobile_drawer.")])
        return surface

    @extend_schema(responses=NavigationSerializer, parameters=[SURFACE])
    def get(self, request, version_id, surface):
        version = theme_selectors.version_get(version_id)
        nav = theme_selectors.navigation_get(version_id=version.pk, surface=self._surface(surface))
        return self.reply(NavigationSerializer(nav).data, version=nav.version)

    @extend_schema(request=NavigationPutSerializer, responses=NavigationSerializer, parameters=[SURFACE, IF_MATCH])
    def put(self, request, version_id, surface):
        data = self.body(NavigationPutSerializer)
        nav = services.navigation_put(principal=self.principal, version_id=version_id, surface=self._surface(surface),
                                      items=data["items"], expected_version=self.expected(data))
        return self.reply(NavigationSerializer(nav).data, version=nav.version)


class BookingFlowApi(WorkspaceApi):
    """The version's booking flow (steps, toggles, consent); PUT replaces it whole."""

    required_permission = READ_EDIT

    @extend_schema(responses=BookingFlowSerializer)
    def get(self, request, version_id):
        version = theme_selectors.version_get(version_id)
        flow = theme_selectors.booking_flow_get(version_id=version.pk)
        return self.reply(BookingFlowSerializer(flow).data, version=flow.version)

    @extend_schema(request=BookingFlowPutSerializer, responses=BookingFlowSerializer, parameters=[IF_MATCH])
    def put(self, request, version_id):
        data = self.body(BookingFlowPutSerializer)
        expected = self.expected(data)
        flow = services.booking_flow_put(principal=self.principal, version_id=version_id, expected_version=expected,
                                         **_without_version(data))
        return self.reply(BookingFlowSerializer(flow).data, version=flow.version)


class EmailThemeApi(WorkspaceApi):
    """The version's e-mail theme (tokens, logo, footer); PUT replaces it whole."""

    required_permission = READ_EDIT

    @extend_schema(responses=EmailThemeSerializer)
    def get(self, request, version_id):
        version = theme_selectors.version_get(version_id)
        email = theme_selectors.email_theme_get(version_id=version.pk)
        return self.reply(EmailThemeSerializer(email).data, version=email.version)

    @extend_schema(request=EmailThemePutSerializer, responses=EmailThemeSerializer, parameters=[IF_MATCH])
    def put(self, request, version_id):
        data = self.body(EmailThemePutSerializer)
        expected = self.expected(data)
        email = services.email_theme_put(principal=self.principal, version_id=version_id, expected_version=expected,
                                         **_without_version(data))
        return self.reply(EmailThemeSerializer(email).data, version=email.version)


class LocalePackListApi(WorkspaceListApi):
    """The version's locale packs with their completeness."""

    required_permission = Permission.THEMES_READ
    serializer_class = LocalePackSerializer
    ordering = ("locale",)
    ordering_fields = ["locale", "completeness_pct", "updated_at"]

    @extend_schema(operation_id="versions_locales_list", responses=LocalePackSerializer(many=True))
    def get(self, request, version_id):
        version = theme_selectors.version_get(version_id)
        return self.paginated(theme_selectors.locale_pack_list(version_id=version.pk), LocalePackSerializer)


class LocalePackApi(WorkspaceApi):
    """One locale's pack: PUT replaces the entries, PATCH merges them (null removes a key; JSON or
    merge-patch+json alike), DELETE drops it."""

    required_permission = READ_EDIT
    parser_classes = [StrictJSONParser, MergePatchParser]

    @extend_schema(responses=LocalePackSerializer)
    def get(self, request, version_id, locale):
        version = theme_selectors.version_get(version_id)
        pack = theme_selectors.locale_pack_get(version_id=version.pk, locale=locale)
        return self.reply(LocalePackSerializer(pack).data, version=pack.version)

    @extend_schema(request=LocalePackPutSerializer, responses=LocalePackSerializer, parameters=[IF_MATCH])
    def put(self, request, version_id, locale):
        if is_merge_patch(request):  # a merge patch is a PATCH
            raise UnsupportedMediaType(request.content_type)
        data = self.body(LocalePackPutSerializer)
        pack = services.locale_pack_put(principal=self.principal, version_id=version_id, locale=locale,
                                        entries=data["entries"], expected_version=self.expected(data))
        return self.reply(LocalePackSerializer(pack).data, version=pack.version)

    # Entries merge as JSON Merge Patch does for a flat map (null removes a key): both media types say so.
    @extend_schema(request={"application/json": LocalePackPutSerializer,
                            MERGE_PATCH_MEDIA_TYPE: LocalePackPutSerializer},
                   responses=LocalePackSerializer, parameters=[IF_MATCH])
    def patch(self, request, version_id, locale):
        data = self.body(LocalePackPutSerializer)
        pack = services.locale_pack_patch(principal=self.principal, version_id=version_id, locale=locale,
                                          entries=data["entries"], expected_version=self.expected(data))
        return self.reply(LocalePackSerializer(pack).data, version=pack.version)

    @extend_schema(request=None, responses={204: None}, parameters=[IF_MATCH])
    def delete(self, request, version_id, locale):
        services.locale_pack_delete(principal=self.principal, version_id=version_id, locale=locale,
                                    expected_version=self.expected({}))
        return self.reply(None, status=204)
