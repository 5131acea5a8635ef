# nginx from Debian's packages in front of khabar: docker/nginx.conf and the reference frontend's
# files, on the same Debian 12 base as khabar's image.
# Build from the project root:  docker build -f docker/nginx.Dockerfile -t khabar-nginx .
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light curl \
 && rm -rf /var/lib/apt/lists/* \
 && ln -sf /dev/stdout /var/log/nginx/access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log
COPY docker/nginx.conf /etc/nginx/nginx.conf
COPY web/index.html web/style.css /usr/share/khabar/web/
COPY web/src /usr/share/khabar/web/src
COPY web/fonts /usr/share/khabar/web/fonts
EXPOSE 80
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1/ || exit 1
# SIGQUIT: nginx's graceful stop (requests in flight are finished)
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
