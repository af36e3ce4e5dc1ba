from django.contrib import admin

from .models import Cohort, Enrolment, WaitlistEntry


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["learner", "referral"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "trade", "start_date", "end_date", "capacity", "status"]
    list_filter = ["status", "trade", "school"]
    search_fields = ["name", "school__name"]
    autocomplete_fields = ["school", "trainers", "social_worker"]
    list_select_related = ["school", "trade"]
    inlines = [EnrolmentInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["learner", "cohort", "status", "entry_date", "end_date"]
    list_filter = ["status"]
    search_fields = ["learner__last_name", "cohort__name"]
    autocomplete_fields = ["learner", "cohort", "referral"]
    list_select_related = ["learner", "cohort__school"]


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ["cohort", "position", "referral"]
    list_select_related = ["cohort", "referral__learner"]
