from django.contrib import admin

from .models import Action, Barrier, BarrierCategory, Consent, JournalEntry, PartnerService


@admin.register(BarrierCategory)
class BarrierCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "network", "position"]


@admin.register(PartnerService)
class PartnerServiceAdmin(admin.ModelAdmin):
    list_display = ["organisation"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["categories"]


@admin.register(Barrier)
class BarrierAdmin(admin.ModelAdmin):
    """Categories and levels only: the summaries are read in the application, where reads are checked."""

    list_display = ["learner", "category", "level", "raised_on", "lifted_on"]
    list_filter = ["category", "level"]
    exclude = ["summary"]
    list_select_related = ["learner", "category"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["description", "barrier", "due_on", "status"]
    exclude = ["outcome"]
    list_select_related = ["barrier__learner", "barrier__category"]


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    """Metadata only: a confidential text is read in the application, where each read is audited."""

    list_display = ["learner", "kind", "occurred_on", "visibility", "author"]
    list_filter = ["kind", "visibility"]
    exclude = ["text"]
    list_select_related = ["learner", "author"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["learner", "scope", "given", "given_on"]
    list_select_related = ["learner"]
