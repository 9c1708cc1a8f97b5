# kbbook with everything it needs to build books, for a site mounted at /site:
#   docker build -t kbbook .
#   docker run --rm -v "$PWD:/site" kbbook build . -o books
FROM debian:bookworm-slim

# The runtime system packages, from the one list .ci/setup and the GitHub Action use too;
# copied alone first, so that this layer is rebuilt only when the list changes.
COPY .ci/system-packages /tmp/kbbook/.ci/system-packages
RUN bash /tmp/kbbook/.ci/system-packages --runtime \
    && rm -rf /var/lib/apt/lists/*

# kbbook from this checkout in a virtual environment of its own (Debian's Python is
# externally managed), the Mermaid bundle and the Font Awesome data in its share/kbbook,
# where kbbook looks for them.
COPY . /tmp/kbbook
RUN python3 -m venv /opt/kbbook \
    && /opt/kbbook/bin/pip install --no-cache-dir --disable-pip-version-check /tmp/kbbook \
    && bash /tmp/kbbook/.ci/install-diagrams /opt/kbbook/share/kbbook \
    && rm -rf /tmp/kbbook /root/.npm
# Caches (kbbook's renders and drawings, fontconfig's) where any user can write:
# `docker run --user "$(id -u):$(id -g)"` gives one without a home.
ENV PATH=/opt/kbbook/bin:$PATH \
    XDG_CACHE_HOME=/tmp/cache

RUN useradd --create-home --uid 1000 kbbook
USER kbbook
WORKDIR /site
ENTRYPOINT ["kbbook"]
CMD ["--help"]
