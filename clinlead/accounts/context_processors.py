def navigation(request):
    from clinlead.accounts.navigation import navigation_for

    return {"navigation": navigation_for(request)}
