; Gett Store Kiosk - Inno Setup 6 script.  UNTESTED: written and reviewed on Linux only; it has
; never been compiled or run. See packaging/windows/README.md before relying on it.
;
; Build (on Windows, from the repository root, after building the bundle there):
;   iscc /DAppVersion=0.1.0 packaging\windows\kiosk.iss
; Silent install, with the autostart entry (the default) or without it:
;   gett-store-kiosk-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /SP-
;   gett-store-kiosk-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /SP- /MERGETASKS="!autostart"
; Silent uninstall:
;   "C:\Program Files\Gett Store Kiosk\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Gett Store Kiosk"
#define AppExe "gett-store-kiosk.exe"
#define Bundle "..\..\dist\gett-store-kiosk"

[Setup]
; Never change AppId: upgrades find the installed copy by it.
AppId={{5C2B7D0E-3E61-4F0B-9C55-6B1B9B2E7A41}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Gett Store Kiosk
DefaultDirName={autopf}\{#AppName}
DisableDirPage=yes
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=gett-store-kiosk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
; Close a running kiosk before replacing its files (upgrades), do not restart it.
CloseApplications=force
RestartApplications=no

[Tasks]
Name: "autostart"; Description: "Start the kiosk when a user logs in to this PC"

[Files]
; The whole PyInstaller bundle: gett-store-kiosk.exe (the app), kiosk.exe (the console CLI)
; and _internal\. Delete what an older version left behind so no stale module is picked up.
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{commonstartup}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: autostart

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName} now"; Flags: nowait postinstall skipifsilent
