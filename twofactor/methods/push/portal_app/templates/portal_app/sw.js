/* The Partner Portal app's service worker (rendered by pages.service_worker): this release's
   offline shell and cache name, then the worker itself (static/portal_app/worker.js). */
self.PORTAL_APP = {shell: {{ shell|safe }}, cacheName: {{ cache_name|safe }}, icon: {{ icon|safe }}};
importScripts({{ scripts|safe }});
