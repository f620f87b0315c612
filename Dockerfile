# A minimal image for cron and CI: the static binary on distroless/static (CA
# certificates for HTTPS to Torii, time zones, no shell), run as a non-root user.
#
#   docker build -t torii-convert --build-arg VERSION=$(git describe --tags --always) --build-arg COMMIT=$(git rev-parse --short=12 HEAD) .
#   docker run --rm -v "$PWD:/data" torii-convert convert --template figma members.xlsx -o figma.json
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
    -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" \
    -o /out/torii-convert ./cmd/torii-convert

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/torii-convert /usr/local/bin/torii-convert
USER nonroot:nonroot
WORKDIR /data
ENTRYPOINT ["/usr/local/bin/torii-convert"]
