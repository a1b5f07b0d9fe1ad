"""The body editor's image chooser: the media library searched and browsed, and an upload that
creates the ``Image`` in place, with the admin's own form and checks.

Served by ``ImageAdmin`` (``admin:articles_image_chooser``), to staff who may view images; an
upload needs the permission to add one. Answers are HTML fragments that the editor's dialog
(static/js/body-media.js) shows, and JSON for the picture chosen or uploaded.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

PAGE_SIZE = 18
UPLOAD_FIELDS = ["file", "alt_text", "caption", "credit"]


def chosen(image):
    """What the editor inserts for ``image``: its id, a library address, alt text, caption."""
    return {
        "id": image.pk,
        "src": image.fallback_url,
        "alt": image.alt_text,
        "caption": image.caption,
    }


class ImageChooserMixin:
    """For ImageAdmin: the chooser's one view (GET: a page of the library; POST: an upload)."""

    def chooser_view(self, request):
        return require_http_methods(["GET", "POST"])(self._chooser)(request)

    def _chooser(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        can_upload = self.has_add_permission(request)
        UploadForm = self.get_form(request, fields=UPLOAD_FIELDS)
        UploadForm.base_fields["file"].widget.attrs["accept"] = (
            "image/jpeg,image/png,image/webp,image/gif"
        )
        if request.method == "POST":
            if not can_upload:
                raise PermissionDenied
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                image = form.save()
                self.log_addition(request, image, [{"added": {}}])
                return JsonResponse(chosen(image), status=201)
            return TemplateResponse(
                request,
                "admin/articles/image/chooser_upload.html",
                {"form": form, "opts": self.opts},
                status=400,
            )
        query = request.GET.get("q", "").strip()[:200]
        images, _duplicates = self.get_search_results(request, self.model.objects.all(), query)
        page = Paginator(images, PAGE_SIZE).get_page(request.GET.get("page"))
        return TemplateResponse(
            request,
            "admin/articles/image/chooser.html",
            {
                "page": page,
                "query": query,
                "results": [(image, chosen(image)) for image in page],
                "can_upload": can_upload,
                "form": UploadForm() if can_upload else None,
                "opts": self.opts,
            },
        )
