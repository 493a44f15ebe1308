# Started at the kiosk user's logon by the scheduled task "Gett Store Kiosk" (registered by the
# installer with /KIOSKUSER=NAME, for that user only). The Windows twin of
# packaging/linux/kiosk-autostart: runs the kiosk only if this user has a kiosk configuration;
# if the app crashes it is started again (5 s, backing off to 60 s); if a manager closes it on
# purpose (exit 0) or its configuration is unusable (exit 2) it stays closed until the next logon
# (this script runs once per logon, so the next logon starts it); exit 75 ("start me again",
# e.g. after an upgrade) starts it again at once. Task Scheduler cannot do this
# itself: its "restart on failure" only covers a task that fails to start, not an app that
# exits with an error.
$ErrorActionPreference = 'Stop'
$app = Join-Path $PSScriptRoot 'gett-store-kiosk.exe'
$config = $env:KIOSK_CONFIG
if (-not $config) {
    $config = Join-Path $env:LOCALAPPDATA 'gett-store-kiosk\config.toml'
}
if (-not (Test-Path -LiteralPath $config)) {
    exit 0
}

$delay = 5
while ($true) {
    $started = Get-Date
    $process = Start-Process -FilePath $app -PassThru -Wait
    $code = $process.ExitCode
    if ($code -eq 0 -or $code -eq 2) {
        exit $code
    }
    if ($code -eq 75) {
        $delay = 5
        continue
    }
    # A crash after a long run starts again quickly; crashes in a row back off up to a minute.
    if (((Get-Date) - $started).TotalSeconds -gt 600) {
        $delay = 5
    }
    Start-Sleep -Seconds $delay
    $delay = [Math]::Min($delay * 2, 60)
}
