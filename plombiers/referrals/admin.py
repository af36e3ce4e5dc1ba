from django.contrib import admin

from .models import InformationSession, Invitation, Learner, Referral, ReferralEvent


@admin.register(Learner)
class LearnerAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "birth_date", "commune", "highest_diploma", "lives_in_qpv"]
    search_fields = ["last_name", "first_name", "email", "france_travail_id"]
    list_filter = ["highest_diploma", "lives_in_qpv", "has_rqth"]
    autocomplete_fields = ["commune", "user"]
    list_select_related = ["commune"]


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "by", "at", "reason", "note"]
    can_delete = False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["learner", "school", "status", "referred_on", "prescriber_organisation"]
    list_filter = ["status", "school"]
    search_fields = ["learner__last_name", "learner__first_name"]
    autocomplete_fields = ["learner", "school", "prescriber", "prescriber_organisation"]
    list_select_related = ["learner", "school", "prescriber_organisation"]
    inlines = [ReferralEventInline]


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    autocomplete_fields = ["referral"]


@admin.register(InformationSession)
class InformationSessionAdmin(admin.ModelAdmin):
    list_display = ["school", "starts_at", "place", "capacity"]
    list_filter = ["school"]
    inlines = [InvitationInline]


@admin.register(ReferralEvent)
class ReferralEventAdmin(admin.ModelAdmin):
    list_display = ["referral", "from_status", "to_status", "by", "at"]
    list_select_related = ["referral__learner", "by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["session", "referral", "attended"]
    list_select_related = ["session__school", "referral__learner"]
