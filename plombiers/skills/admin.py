from django.contrib import admin

from plombiers.frameworks.models import Block, Framework, Skill

from .models import Evidence, Observation


class BlockInline(admin.TabularInline):
    model = Block
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["title", "trade", "version", "published_at"]
    list_filter = ["trade"]
    readonly_fields = ["checksum", "published_at"]
    inlines = [BlockInline]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "framework"]
    list_filter = ["framework"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "block", "safety_critical"]
    list_filter = ["framework", "safety_critical"]
    search_fields = ["code", "title"]
    list_select_related = ["block"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    readonly_fields = ["file", "kind", "content_type", "size", "original_name", "created_at"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):
    """Read-only: observations are append-only history."""

    list_display = ["enrolment", "skill", "level", "observed_on", "context", "observer"]
    list_filter = ["level", "context", "is_positioning"]
    list_select_related = ["enrolment__learner", "skill", "observer"]
    inlines = [EvidenceInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "size", "observation"]
    list_select_related = ["observation"]
