from django.http import HttpResponse


def people_list(request):  # placeholder, replaced by the people pages
    return HttpResponse("people")


def profile(request):
    return HttpResponse("profile")


def team(request):
    return HttpResponse("team")
