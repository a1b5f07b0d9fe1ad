from django.contrib.auth.views import LogoutView
from django.urls import path

from subscriptions import views

app_name = "subscriptions"

urlpatterns = [
    path("newsletter/", views.signup, name="signup"),
    path("newsletter/merci/", views.signup_done, name="signup_done"),
    path("newsletter/confirmer/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/desinscription/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("abonnement/", views.plans, name="plans"),
    path("compte/", views.account, name="account"),
    path("compte/connexion/", views.login_request, name="login"),
    path("compte/connexion/<str:token>/", views.login_link, name="login_link"),
    path("compte/deconnexion/", LogoutView.as_view(next_page="articles:home"), name="logout"),
]
