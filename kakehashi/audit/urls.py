from django.urls import path

from kakehashi.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="entries"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.jsonl", views.export_jsonl, name="export_jsonl"),
]
