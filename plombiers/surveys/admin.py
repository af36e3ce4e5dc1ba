from django.contrib import admin

from .models import SurveyAnswer, SurveyInvitation


class SurveyAnswerInline(admin.TabularInline):
    model = SurveyAnswer
    extra = 0
    can_delete = False
    readonly_fields = ["question", "value", "text"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    list_display = ["addressee", "audience", "cohort", "created_at", "expires_at", "sent_at", "answered_at"]
    list_filter = ["audience", "school"]
    search_fields = ["addressee", "respondent_name", "email", "cohort__name"]
    list_select_related = ["cohort"]
    readonly_fields = ["nonce", "answered_at", "sent_at"]
    raw_id_fields = ["cohort", "enrolment", "organisation", "school", "created_by"]
    inlines = [SurveyAnswerInline]
