vcl 4.1;

# Varnish in front of the site (CDN_PURGE_BACKEND=varnish): it keeps reader pages for as long
# as the site's Cache-Control says (s-maxage, hours with purging on) and drops them the moment
# content changes, by the keys each page carries in its xkey header (pagecache/surrogates.py).
# Needs Debian's varnish and varnish-modules (vmod xkey). The worker sends
#   PURGE / with "xkey-purge: article-12 home ..."
# (pagecache/purge.py), accepted from the addresses in acl purgers alone.

import std;
import xkey;

# The app server (gunicorn, or the nginx in front of several); the test and deploy/ scripts
# put the real address here.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            # A hard purge: a reader never gets the old page, even in grace.
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged " + req.http.n-gone));
        }
        return (purge);  # no keys: the address itself
    }
    # Signed-in readers and staff always reach the site (their pages are personal).
    if (req.http.Cookie ~ "(^|;\s*)sessionid=" || req.url ~ "^/admin/") {
        return (pass);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Other cookies (the paywall's meter) are left to the site: it answers private, never
    # kept, when a page depends on them, and Vary: Cookie keeps the rest apart.
    return (hash);
}

sub vcl_backend_response {
    # The builtin logic honours Cache-Control (s-maxage first) and never keeps a response
    # that sets a cookie or is private.
    if (beresp.http.Cache-Control ~ "no-cache|private") {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
}

sub vcl_deliver {
    # The keys are for this cache alone.
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
