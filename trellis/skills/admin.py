from django.contrib import admin

from trellis.skills.models import Occupation, RoleSkill, Skill, SkillEvidence, SkillFamily


@admin.register(SkillFamily)
class SkillFamilyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = [
        "label",
        "source",
        "kind",
        "reuse_level",
        "family",
        "is_digital",
        "is_hot_technology",
    ]
    list_filter = ["source", "kind", "family", "is_digital", "is_transversal", "is_hot_technology"]
    search_fields = ["label", "uri"]
    list_select_related = ["family"]
    raw_id_fields = ["parents"]


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ["label", "source", "code"]
    list_filter = ["source"]
    search_fields = ["label", "code", "uri"]


@admin.register(RoleSkill)
class RoleSkillAdmin(admin.ModelAdmin):
    list_display = ["job_role", "skill", "target_level", "is_essential", "origin"]
    list_filter = ["origin", "is_essential", "job_role"]
    list_select_related = ["job_role", "skill"]
    raw_id_fields = ["skill"]


@admin.register(SkillEvidence)
class SkillEvidenceAdmin(admin.ModelAdmin):
    list_display = ["employee", "skill", "level", "kind", "observed_on"]
    list_filter = ["kind", "level"]
    list_select_related = ["employee", "skill"]
    raw_id_fields = ["employee", "skill", "recorded_by"]
    search_fields = ["employee__full_name", "skill__label"]
