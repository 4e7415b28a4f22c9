from django.contrib import admin

from trellis.catalog.models import Item, ItemSkill, Provider


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "default_license"]
    search_fields = ["name", "slug"]


class ItemSkillInline(admin.TabularInline):
    model = ItemSkill
    raw_id_fields = ["skill"]
    extra = 0


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "provider",
        "format",
        "level",
        "duration_minutes",
        "language",
        "is_published",
    ]
    list_filter = ["format", "level", "language", "provider", "is_published"]
    search_fields = ["title", "external_id", "collection"]
    list_select_related = ["provider"]
    inlines = [ItemSkillInline]
