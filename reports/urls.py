from django.urls import path

from . import views_exchange

app_name = "reports"

urlpatterns = [
    path("exchange/import/", views_exchange.exchange_import, name="exchange-import"),
]
