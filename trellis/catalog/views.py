from django.http import HttpResponse


def item_list(request):  # placeholder, replaced by the catalog pages
    return HttpResponse("catalog")
