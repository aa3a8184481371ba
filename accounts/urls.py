from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("stay-signed-in/", views.keep_alive, name="keep-alive"),
    path("drafts/save/", views.draft_save, name="draft-save"),
    path("drafts/discard/", views.draft_discard, name="draft-discard"),
]
