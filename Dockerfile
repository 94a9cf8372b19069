# syntax=docker/dockerfile:1

# Build stage. The SDK runs natively on the build machine ($BUILDPLATFORM) and publishes a
# self-contained, trimmed app precompiled for the target architecture, so
# docker buildx build --platform linux/amd64,linux/arm64 needs no emulation for it.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source

# Restore inputs first: this layer and the restore below are reused until a project file or a package
# version changes, not on every source edit.
COPY Directory.Build.props Directory.Packages.props Tvm.csproj .editorconfig ./
# A publish for a runtime is ReadyToRun (precompiled code) for the image's own architecture, as one composite
# image of the framework, the libraries and TVM (Tvm.csproj): it starts faster and warms up sooner than
# JIT-only IL. crossgen2 cross-compiles, so the SDK still runs natively on the build machine.
# The SDK takes Docker's TARGETARCH names (amd64, arm64) for --arch.
ARG TARGETARCH
RUN dotnet restore Tvm.csproj --arch "$TARGETARCH" --os linux

COPY src/ src/
# Self-contained and trimmed (Tvm.csproj): only the framework code TVM uses is shipped, which keeps about
# 40 MB of code pages out of memory after load (bench/README.md). The trimmer's remaining warnings name
# reflection TVM does not reach; CI runs the process tests against this same publish.
RUN dotnet publish Tvm.csproj --configuration Release --no-restore --output /app --arch "$TARGETARCH" --os linux


# Runtime stage: Ubuntu chiseled runtime-deps image, no shell, no package manager and no .NET runtime of
# its own (the app brings what it uses). The project sets InvariantGlobalization, so the plain chiseled
# image (without ICU) is enough.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled AS runtime

ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
# No upstream address or licence is recorded in the repository yet; pass them at build time.
ARG SOURCE=unknown
ARG LICENSES=NOASSERTION

LABEL org.opencontainers.image.title="token-vending-machine" \
      org.opencontainers.image.description="Exchanges Kubernetes service-account tokens for short-lived, policy-scoped AWS credentials." \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="${LICENSES}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"

WORKDIR /app
# Owned by root and not writable by the user the service runs as.
COPY --from=build /app ./

# TVM binds PORT itself. The base image's ASPNETCORE_HTTP_PORTS=8080 is cleared so Kestrel does not
# warn that it is overriding it.
ENV PORT=8000
ENV ASPNETCORE_HTTP_PORTS=
# Read-only root file system: with diagnostics off the runtime creates no IPC socket (and no other
# file) under TMPDIR, so the image runs with `--read-only` and no writable mount at all.
ENV DOTNET_EnableDiagnostics=0
# The service port, and Prometheus metrics (METRICS_PORT, plain HTTP).
ENV METRICS_PORT=9090
# GC: workstation, conserving memory, in regions of 1 MiB (all set in Tvm.csproj), with a 4 MiB gen0
# budget. The budget otherwise follows the host's L3 cache size, and on a host with a large L3 it let the
# resident set grow by about 75 MB under load. TVM keeps about 27 MB of live objects; against 16 MiB, 4 MiB held about
# 14 MB less after load for the same throughput and CPU per request in paired runs (bench/README.md).
# The runtime reads the budget only from the environment; the benchmark applies it from here.
ENV DOTNET_GCgen0size=0x400000
EXPOSE 8000 9090

# The chiseled image's own non-root 'app' user (uid and gid 1654, home /home/app). Numeric, so that
# Kubernetes can verify runAsNonRoot without reading /etc/passwd; the manifests use the same ids.
USER 1654

ENTRYPOINT ["/app/Tvm"]
