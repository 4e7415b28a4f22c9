from django.http import HttpResponse


def role_list(request):  # placeholder, replaced by the skills pages
    return HttpResponse("roles")
