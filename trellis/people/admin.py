from django.contrib import admin

from trellis.people.models import Department, Employee, Group, JobRole, Location


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "path"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    readonly_fields = ["path", "depth"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "timezone"]
    search_fields = ["name"]


@admin.register(JobRole)
class JobRoleAdmin(admin.ModelAdmin):
    list_display = ["title", "family", "seniority", "occupation"]
    list_filter = ["family", "seniority"]
    search_fields = ["title"]
    list_select_related = ["occupation"]
    raw_id_fields = ["occupation", "onet_occupation"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    """Prefer the People pages and the HRIS import: they keep the hierarchy paths and the audit log."""

    list_display = [
        "full_name",
        "employee_id",
        "email",
        "department",
        "job_role",
        "manager",
        "location",
        "is_active",
    ]
    list_filter = ["is_active", "department", "location"]
    search_fields = ["full_name", "employee_id", "email"]
    list_select_related = ["department", "job_role", "manager", "location"]
    raw_id_fields = ["user", "manager", "department", "job_role", "location"]
    readonly_fields = ["manager_path"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    raw_id_fields = ["members"]
