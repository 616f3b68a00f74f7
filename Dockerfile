# syntax=docker/dockerfile:1
# Cerberus ChatOps: SDK stage restores and publishes the host; the runtime stage is the plain ASP.NET image with
# the published files only, run as a numeric non-root user. No secrets here: they come from the Kubernetes Secret
# (see manifests/ and docs/deployment.md). tests/Cerberus.ChatOps.Tests/Deployment/DockerfileTests.cs checks it.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the project and build files only, so source edits do not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Cerberus.ChatOps.Domain/Cerberus.ChatOps.Domain.csproj src/Cerberus.ChatOps.Domain/
COPY src/Cerberus.ChatOps/Cerberus.ChatOps.csproj src/Cerberus.ChatOps/
RUN dotnet restore src/Cerberus.ChatOps/Cerberus.ChatOps.csproj

# appsettings.json lives at the repository root and is linked into the host's output.
COPY appsettings.json ./
COPY src/ src/
RUN dotnet publish src/Cerberus.ChatOps/Cerberus.ChatOps.csproj -c Release -o /app/publish --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app

# /data holds the SQLite store (an emptyDir or PVC in Kubernetes), /tmp the temporary files (an emptyDir): the
# root filesystem can then be read-only. HOME points at /tmp so nothing tries to write under a missing home.
RUN mkdir -p /data && chown 10001:10001 /data
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1 \
    HOME=/tmp \
    TMPDIR=/tmp \
    Cerberus__Store__ConnectionString="Data Source=/data/cerberus.db"

COPY --from=build /app/publish .

USER 10001:10001
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["dotnet", "Cerberus.ChatOps.dll"]
