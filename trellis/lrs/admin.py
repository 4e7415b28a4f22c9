"""Django admin for the LRS: read-only views of the record (statements are immutable by the spec)."""

from django.contrib import admin

from trellis.lrs.models import (
    ActivityAlias,
    ActivityDefinition,
    Document,
    LrsClient,
    Progress,
    Statement,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = [
        "statement_id",
        "stored",
        "actor_ifi",
        "verb_id",
        "object_activity_id",
        "is_voided",
        "version",
    ]
    list_filter = ["is_voided", "version"]
    search_fields = ["statement_id", "actor_ifi", "verb_id", "object_activity_id"]
    show_full_result_count = False  # counting millions of rows on every page is not worth it


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "document_id", "activity_id", "agent_ifi", "content_type", "etag"]
    list_filter = ["kind"]
    search_fields = ["document_id", "activity_id", "agent_ifi"]
    exclude = ["content"]


@admin.register(ActivityDefinition)
class ActivityDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["activity_id"]
    search_fields = ["activity_id"]


@admin.register(Progress)
class ProgressAdmin(ReadOnlyAdmin):
    list_display = [
        "employee",
        "activity_id",
        "item",
        "status",
        "score_scaled",
        "time_spent_seconds",
        "last_activity_at",
    ]
    list_filter = ["status"]
    list_select_related = ["employee", "item"]
    search_fields = ["employee__full_name", "activity_id"]
    show_full_result_count = False


@admin.register(ActivityAlias)
class ActivityAliasAdmin(admin.ModelAdmin):
    list_display = ["activity_id", "item"]
    list_select_related = ["item"]
    raw_id_fields = ["item"]
    search_fields = ["activity_id"]


@admin.register(LrsClient)
class LrsClientAdmin(admin.ModelAdmin):
    """Create clients on Admin → LRS clients (the secret is shown once there)."""

    list_display = ["name", "key", "user", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["key", "secret_hash", "created_at", "created_by", "last_used_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
