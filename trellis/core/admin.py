from django.contrib import admin

from trellis.core.models import ApiToken, AuditEvent, DemoStep, ImportRun


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "code", "actor", "target_type", "target_id"]
    list_filter = ["code"]
    search_fields = ["code", "target_id"]
    list_select_related = ["actor"]
    date_hierarchy = "at"

    # The audit log is append-only: readable here, never editable.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "user",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "secret_hash", "created_at", "last_used_at", "created_by"]
    search_fields = ["name", "prefix", "user__username"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return (
            False  # tokens are created on the Admin → API tokens page, which shows the secret once
        )


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "kind", "filename", "status", "duration_ms", "actor"]
    list_filter = ["kind", "status"]
    list_select_related = ["actor"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(DemoStep)
admin.site.site_header = "Trellis administration"
admin.site.site_title = "Trellis"
