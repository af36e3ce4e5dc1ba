from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id", "school"]
    list_filter = ["action"]
    search_fields = ["action", "object_id", "actor__email"]
    list_select_related = ["actor", "school"]
    readonly_fields = ["prev_hash", "hash"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
