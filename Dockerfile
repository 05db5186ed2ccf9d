# weike: a static-ish binary (cgo for SQLite) on a slim Debian.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/weike ./cmd/weike

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* && useradd --system --home /data weike && mkdir -p /data && chown weike /data
COPY --from=build /out/weike /usr/local/bin/weike
USER weike
WORKDIR /data
ENV WEIKE_ADDR=:8080 WEIKE_DB=/data/weike.db
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["/usr/local/bin/weike", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/weike"]
CMD ["serve"]
