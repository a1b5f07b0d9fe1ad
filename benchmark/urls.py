from django.urls import path

from benchmark.views import ceiling

app_name = "benchmark"

urlpatterns = [
    path("plafond/", ceiling, name="ceiling"),
]
