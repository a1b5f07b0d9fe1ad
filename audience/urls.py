from django.urls import path

from audience import views

app_name = "audience"

urlpatterns = [
    path("audience/lu/<int:article_id>/", views.read, name="read"),
]
