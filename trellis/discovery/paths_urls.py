"""/discover/paths/ and /discover/playlists/."""

from django.urls import path

from trellis.discovery import views_paths, views_playlists

urlpatterns = [
    path("paths/", views_paths.path_list, name="paths"),
    path("paths/new/", views_paths.path_new, name="path_new"),
    path("paths/suggest/<str:employee_id>/", views_paths.path_suggest, name="path_suggest"),
    path("paths/<int:path_id>/", views_paths.path_detail, name="path"),
    path(
        "paths/<int:path_id>/steps/<int:step_id>/skip/",
        views_paths.path_step_skip,
        name="path_step_skip",
    ),
    path(
        "paths/<int:path_id>/steps/<int:step_id>/swap/",
        views_paths.path_step_swap,
        name="path_step_swap",
    ),
    path(
        "paths/<int:path_id>/accept/",
        views_paths.path_respond,
        {"answer": "accept"},
        name="path_accept",
    ),
    path(
        "paths/<int:path_id>/decline/",
        views_paths.path_respond,
        {"answer": "decline"},
        name="path_decline",
    ),
    path("paths/<int:path_id>/replan/", views_paths.path_replan, name="path_replan"),
    path("paths/<int:path_id>/settings/", views_paths.path_settings, name="path_settings"),
    path("paths/<int:path_id>/stop/", views_paths.path_archive, name="path_archive"),
    path("playlists/", views_playlists.playlist_list, name="playlists"),
    path("playlists/new/", views_playlists.playlist_new, name="playlist_new"),
    path("playlists/<uuid:uid>/", views_playlists.playlist_detail, name="playlist"),
    path("playlists/<uuid:uid>/edit/", views_playlists.playlist_edit, name="playlist_edit"),
    path("playlists/<uuid:uid>/delete/", views_playlists.playlist_delete, name="playlist_delete"),
    path("playlists/<uuid:uid>/add/", views_playlists.playlist_add, name="playlist_add"),
    path(
        "playlists/<uuid:uid>/entries/<int:entry_id>/remove/",
        views_playlists.playlist_remove,
        name="playlist_remove",
    ),
    path(
        "playlists/<uuid:uid>/entries/<int:entry_id>/move/",
        views_playlists.playlist_move,
        name="playlist_move",
    ),
    path(
        "playlists/<uuid:uid>/reorder/", views_playlists.playlist_reorder, name="playlist_reorder"
    ),
    path("playlists/<uuid:uid>/follow/", views_playlists.playlist_follow, name="playlist_follow"),
    path(
        "playlists/<uuid:uid>/publish/", views_playlists.playlist_publish, name="playlist_publish"
    ),
    path(
        "playlists/<uuid:uid>/audience/",
        views_playlists.playlist_audience,
        name="playlist_audience",
    ),
]
