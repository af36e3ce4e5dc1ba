from django.contrib import admin

from .models import Commune, Contact, Departement, Network, Organisation, Partnership, Region, School, Trade


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["name", "code"]
    list_select_related = ["region"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["insee_code", "name", "kind", "postal_codes", "departement", "population"]
    list_filter = ["kind"]
    search_fields = ["name", "insee_code", "postal_codes"]
    list_select_related = ["departement"]


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Trade)
class TradeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "default_cohort_capacity"]
    prepopulated_fields = {"slug": ["name"]}


class PartnershipInline(admin.TabularInline):
    model = Partnership
    extra = 0
    autocomplete_fields = ["organisation", "school"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "trade", "commune", "status", "opened_on"]
    list_filter = ["trade", "status"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["commune", "project_holder"]
    list_select_related = ["trade", "commune"]
    inlines = [PartnershipInline]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "category", "siret", "commune"]
    list_filter = ["kind", "category"]
    search_fields = ["name", "siret"]
    autocomplete_fields = ["commune"]
    list_select_related = ["commune"]
    inlines = [ContactInline, PartnershipInline]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["school", "organisation", "since"]
    autocomplete_fields = ["school", "organisation"]
    list_select_related = ["school", "organisation"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["full_name", "job_title", "organisation"]
    search_fields = ["full_name", "organisation__name"]
    list_select_related = ["organisation"]
