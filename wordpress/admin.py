from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from wordpress.models import ImportedItem, OldAddress


@admin.register(OldAddress)
class OldAddressAdmin(admin.ModelAdmin):
    list_display = ["path", "destination_display", "created_at"]
    list_select_related = ["article__category"]
    search_fields = ["path", "target", "article__title"]
    raw_id_fields = ["article"]
    date_hierarchy = "created_at"

    @admin.display(description=_("leads to"))
    def destination_display(self, address):
        return address.destination()


@admin.register(ImportedItem)
class ImportedItemAdmin(admin.ModelAdmin):
    list_display = ["wp_id", "kind", "object_id", "site", "imported_at"]
    list_filter = ["kind", "site"]
    search_fields = ["wp_id"]
    readonly_fields = [f.name for f in ImportedItem._meta.fields]

    def has_add_permission(self, request):
        return False
