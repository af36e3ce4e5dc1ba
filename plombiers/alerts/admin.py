from django.contrib import admin

from .models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "rule", "raised_on", "acknowledged_at", "acknowledged_by"]
    list_filter = ["rule", "raised_on"]
    list_select_related = ["enrolment__learner", "enrolment__cohort__school", "acknowledged_by"]
    readonly_fields = ["enrolment", "school", "rule", "reason", "facts", "raised_on", "created_at"]
    raw_id_fields = ["acknowledged_by"]
