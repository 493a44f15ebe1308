; Gett Store Kiosk: the Windows installer (NSIS 3). Compiled in CI on Linux by
; `make installer-check` (Debian's nsis package) against a placeholder bundle with the real
; layout; the release build compiles it on a Windows runner (.github/workflows/windows.yml).
;
;   makensis -WX -DVERSION=0.1.0 -DBUNDLE=dist/gett-store-kiosk -DOUTFILE=dist/gett-store-kiosk-0.1.0-windows-x64.exe kiosk.nsi
;
; Silent install for one store PC, the kiosk starting at KIOSKUSER's logon (only theirs):
;   gett-store-kiosk-0.1.0-windows-x64.exe /S /KIOSKUSER=kiosk
; Without /KIOSKUSER nothing starts by itself (an IT or admin PC). Silent uninstall:
;   "C:\Program Files\Gett Store Kiosk\uninstall.exe" /S
; See packaging/windows/README.md.

Unicode true
ManifestDPIAware true
RequestExecutionLevel admin
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "Pass the version: makensis -DVERSION=0.1.0 ..."
!endif
!ifndef BUNDLE
  !define BUNDLE "../../dist/gett-store-kiosk"
!endif
!ifndef OUTFILE
  !define OUTFILE "../../dist/gett-store-kiosk-${VERSION}-windows-x64.exe"
!endif

!define APPNAME "Gett Store Kiosk"
!define APPEXE "gett-store-kiosk.exe"
!define CLIEXE "kiosk.exe"
!define TASKNAME "Gett Store Kiosk"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\GettStoreKiosk"

; The installer must not be built from a bundle that is not one: these are what the app and the
; autostart need (a PyInstaller onedir bundle from packaging/kiosk.spec on Windows).
!if ! /FileExists "${BUNDLE}/${APPEXE}"
  !error "${BUNDLE}/${APPEXE} is missing: build the bundle first (packaging/kiosk.spec)"
!endif
!if ! /FileExists "${BUNDLE}/${CLIEXE}"
  !error "${BUNDLE}/${CLIEXE} is missing: the spec makes a console exe for the command line"
!endif
!if ! /FileExists "${BUNDLE}/_internal/PySide6/plugins/platforms/qwindows.dll"
  !error "${BUNDLE} has no Qt Windows platform plugin: the app could not open a window"
!endif
!if ! /FileExists "${BUNDLE}/_internal/kiosk/resources/kiosk.qss"
  !error "${BUNDLE} has no kiosk resources (kiosk/resources/kiosk.qss)"
!endif
!if /FileExists "${BUNDLE}/_internal/PySide6/opengl32sw.dll"
  !error "${BUNDLE} ships opengl32sw.dll (19.7 MiB): the trimming rules (packaging/trim_rules.py) did not apply"
!endif

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
ShowInstDetails show
ShowUninstDetails show

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Var KioskUser

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APPNAME} needs 64-bit Windows 10 or 11." /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
  SetRegView 64
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/KIOSKUSER=" $KioskUser
  ClearErrors
  ; The name goes into the scheduled task's XML: only what a Windows account name may hold.
  Push $KioskUser
  Call CheckUserName
FunctionEnd

; Stops with exit code 2 if the name on the stack has a character that has no place in a user
; name (and would break the task's XML): " < > & ' / : ; | = , + * ? [ ] and control characters.
Function CheckUserName
  Exch $0
  Push $1
  Push $2
  StrCpy $1 0
  ${Do}
    StrCpy $2 $0 1 $1
    ${If} $2 == ""
      ${Break}
    ${EndIf}
    ${If} $2 == '"'
    ${OrIf} $2 == "<"
    ${OrIf} $2 == ">"
    ${OrIf} $2 == "&"
    ${OrIf} $2 == "'"
    ${OrIf} $2 == "/"
    ${OrIf} $2 == ":"
    ${OrIf} $2 == ";"
    ${OrIf} $2 == "|"
    ${OrIf} $2 == "="
    ${OrIf} $2 == ","
    ${OrIf} $2 == "+"
    ${OrIf} $2 == "*"
    ${OrIf} $2 == "?"
    ${OrIf} $2 == "["
    ${OrIf} $2 == "]"
    ${OrIf} $2 S< " "
      MessageBox MB_ICONSTOP "/KIOSKUSER=$0 is not a Windows user name." /SD IDOK
      SetErrorLevel 2
      Quit
    ${EndIf}
    IntOp $1 $1 + 1
  ${Loop}
  Pop $2
  Pop $1
  Pop $0
FunctionEnd

Section "Install"
  SetShellVarContext all
  ; An upgrade: stop the autostart watcher and the running kiosk before replacing their files
  ; (every tap is already saved on disk), and drop the old _internal so no stale module stays.
  nsExec::Exec 'schtasks.exe /End /TN "${TASKNAME}"'
  Pop $0
  nsExec::Exec 'taskkill.exe /F /IM ${APPEXE}'
  Pop $0
  RMDir /r "$INSTDIR\_internal"

  SetOutPath "$INSTDIR"
  File /r "${BUNDLE}/*"
  File "kiosk-autostart.ps1"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\${APPEXE}"

  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "Gett Store Kiosk"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${APPEXE}"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" $0

  ${If} $KioskUser != ""
    Call RegisterAutostart
  ${Else}
    DetailPrint "No /KIOSKUSER given: the kiosk does not start by itself on this PC."
  ${EndIf}
SectionEnd

; A scheduled task that starts kiosk-autostart.ps1 at KIOSKUSER's logon only, in their desktop
; session with their own rights (never an administrator's, never at another user's logon). The
; script restarts the app after a crash; Task Scheduler restarts the script if it fails.
Function RegisterAutostart
  InitPluginsDir
  FileOpen $0 "$PLUGINSDIR\task.xml" w
  FileWriteWord $0 0xFEFF
  FileWriteUTF16LE $0 '<?xml version="1.0" encoding="UTF-16"?>$\r$\n'
  FileWriteUTF16LE $0 '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">$\r$\n'
  FileWriteUTF16LE $0 '  <RegistrationInfo><Description>Starts ${APPNAME} when $KioskUser logs on, and again after a crash.</Description></RegistrationInfo>$\r$\n'
  FileWriteUTF16LE $0 '  <Triggers><LogonTrigger><Enabled>true</Enabled><UserId>$KioskUser</UserId></LogonTrigger></Triggers>$\r$\n'
  FileWriteUTF16LE $0 '  <Principals><Principal id="Kiosk"><UserId>$KioskUser</UserId><LogonType>InteractiveToken</LogonType><RunLevel>LeastPrivilege</RunLevel></Principal></Principals>$\r$\n'
  FileWriteUTF16LE $0 '  <Settings>$\r$\n'
  FileWriteUTF16LE $0 '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>$\r$\n'
  FileWriteUTF16LE $0 '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>$\r$\n'
  FileWriteUTF16LE $0 '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>$\r$\n'
  FileWriteUTF16LE $0 '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>$\r$\n'
  FileWriteUTF16LE $0 '    <RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>$\r$\n'
  FileWriteUTF16LE $0 '    <Enabled>true</Enabled>$\r$\n'
  FileWriteUTF16LE $0 '  </Settings>$\r$\n'
  FileWriteUTF16LE $0 '  <Actions Context="Kiosk"><Exec>$\r$\n'
  FileWriteUTF16LE $0 '    <Command>powershell.exe</Command>$\r$\n'
  FileWriteUTF16LE $0 '    <Arguments>-NoProfile -NonInteractive -ExecutionPolicy Bypass -WindowStyle Hidden -File "$INSTDIR\kiosk-autostart.ps1"</Arguments>$\r$\n'
  FileWriteUTF16LE $0 '  </Exec></Actions>$\r$\n'
  FileWriteUTF16LE $0 '</Task>$\r$\n'
  FileClose $0
  nsExec::ExecToLog 'schtasks.exe /Create /F /TN "${TASKNAME}" /XML "$PLUGINSDIR\task.xml"'
  Pop $0
  ${If} $0 != 0
    DetailPrint "Could not register the autostart task for $KioskUser (schtasks exit $0)."
    MessageBox MB_ICONSTOP "Could not make the kiosk start at $KioskUser's logon: does that Windows user exist?" /SD IDOK
    SetErrorLevel 3
    Abort
  ${EndIf}
  DetailPrint "The kiosk starts at $KioskUser's logon (scheduled task '${TASKNAME}')."
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  SetRegView 64
  nsExec::Exec 'schtasks.exe /End /TN "${TASKNAME}"'
  Pop $0
  nsExec::Exec 'schtasks.exe /Delete /F /TN "${TASKNAME}"'
  Pop $0
  nsExec::Exec 'taskkill.exe /F /IM ${APPEXE}'
  Pop $0
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${APPEXE}"
  Delete "$INSTDIR\${CLIEXE}"
  Delete "$INSTDIR\kiosk-autostart.ps1"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTKEY}"
  ; Like the .deb, users' config, queue, logs and keys stay (remove the key first with
  ; `kiosk.exe key clear` as that user).
SectionEnd
