# rjax on the CPU: the Rust toolchain, rjax built in release mode with its examples and
# benches, the CPU plugins already fetched; the notebook is the default command.
#   scripts/docker-build.sh            # or: docker build -t rjax .
#   docker run --rm rjax               # runs examples/notebook.rs
FROM rust:1.95-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-pip \
    && rm -rf /var/lib/apt/lists/*

ENV RJAX_CACHE_DIR=/opt/rjax-cache
WORKDIR /rjax
COPY . .
# The same build CI runs (.ci/run calls this script too).
RUN scripts/build-all.sh

CMD ["cargo", "run", "--release", "--example", "notebook"]
