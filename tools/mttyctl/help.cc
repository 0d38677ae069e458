// Copyright mtty-lab authors.
#include "tools/mttyctl/help.h"

namespace mtty::mttyctl {

const char kMainHelp[] = R"(Usage: mttyctl COMMAND [ARGS]
       mttyctl exec [-x] FILE|-

An mdevctl-style tool for the userspace mtty parent device "mtty" with the
kernel sample's types mtty-1 (Single port serial) and mtty-2 (Dual port
serial), sharing 24 ports.

Every mttyctl process has its own in-process parent, empty at start and gone
at exit: `mttyctl start ...` then `mttyctl list` in a second process shows
nothing. Run a whole session (create, access registers, remove) with `exec`,
which reads one command per line against a single parent.

Commands shared with mdevctl:
  types [-p mtty] [--dumpjson|--json]
  list [-u UUID] [-p mtty] [-v] [--dumpjson|--json]
  start [-u UUID] [-p mtty] -t TYPE [--profile kernel|16550a]
  stop -u UUID

Session commands (most useful inside exec):
  exec [-x] FILE|-                 run a script (- = standard input)
  open UUID | close UUID           hold / release a device handle
  read UUID REGION OFFSET [COUNT]  region read, prints the bytes in hex
  write UUID REGION OFFSET BYTE... region write
  ioctl UUID SUBCOMMAND [ARGS]     device ioctls (mttyctl ioctl --help)
  time UUID NS                     advance the device's virtual clock
  state UUID                       print the device state
  eventfd FD | signals FD          fake eventfd number for SET_IRQS, its count
  sysfs-read PATH                  read a file of the sysfs view
  sysfs-write PATH DATA            one write(2) of DATA, prints bytes consumed
  sysfs-list [PATH]                list a directory of the sysfs view
  echo [TEXT...]                   print TEXT
  help [COMMAND]                   this text, or a command's

`mttyctl COMMAND --help` describes each command. Errors are printed as
`mttyctl: COMMAND: ERRNO (description): sentence` on standard error; the
exit status is 1, or 2 for a malformed command line.
)";

const std::map<std::string, std::string, std::less<>>& CommandHelp() {
  static const auto* help = new std::map<std::string, std::string, std::less<>>{
      {"types", R"(Usage: mttyctl types [-p|--parent mtty] [--dumpjson|--json]

Lists the parent's mdev types with their available instances, as
`mdevctl types` does:
  mtty
    mtty-1
      Available instances: 24
      Device API: vfio-pci
      Name: Single port serial
    ...
--dumpjson (or --json) prints the same as mdevctl's JSON. A --parent other
than mtty matches nothing.
)"},
      {"list",
       R"(Usage: mttyctl list [-u|--uuid UUID] [-p|--parent mtty] [-v|--verbose]
                   [--dumpjson|--json]

Lists the active devices of this process's parent, sorted by UUID, one line
each as `mdevctl list` prints them: `UUID mtty TYPE manual`. --verbose adds
the UART profile and the number of open handles. --dumpjson (or --json)
prints mdevctl's JSON; with --uuid alone and a match, only that device's
object. There are no persistent definitions (no --defined).
)"},
      {"start",
       R"(Usage: mttyctl start [-u|--uuid UUID] [-p|--parent mtty] -t|--type TYPE
                    [--profile kernel|16550a]

Creates a device of TYPE (mtty-1 or mtty-2) named UUID, like writing the
UUID to mdev_supported_types/TYPE/create. Without --uuid a random one is
made and printed. --profile picks the UART behaviour: kernel (the sample's
register quirks, default) or 16550a (the datasheet's). Errors: EINVAL bad
UUID, type or profile; EEXIST the UUID is taken; ENOSPC not enough free
ports; ENODEV a parent other than mtty.
Note: the device lives only as long as this process (use exec).
)"},
      {"stop", R"(Usage: mttyctl stop -u|--uuid UUID

Removes the device, like writing 1 to UUID/remove. ENODEV if there is no
such device; EBUSY if a handle from `open` is still held (close it first:
the kernel would wait for it, but in a single mttyctl session nothing could
close it while stop waits, so stop does not wait).
)"},
      {"exec", R"(Usage: mttyctl exec [-x] FILE|-

Runs the commands in FILE (or standard input for -) against one parent, one
command per line. Blank lines and lines starting with # are skipped. Words
are split at blanks; "double quotes" group words and understand \n \t \r \0
\\ \" and \xHH; 'single quotes' are literal. A line starting with - runs
the command but carries on if it fails (the error is still printed).
Otherwise the first failure stops the script and sets the exit status.
-x echoes each command as `+ command` before running it.

Example:
  start -u 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 -t mtty-2
  write 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 bar0 0x0 0x41
  read 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001 bar0 0x0 1
  stop -u 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
)"},
      {"open", R"(Usage: mttyctl open UUID

Opens the device and keeps the handle for later commands, as a VMM keeps
the vfio device fd. Interrupt wiring (SET_IRQS) and migration state only
survive between commands while a handle is held: without one, each command
opens the device and closes it again, and the last close disables
interrupts and drops migration files (close_device). ENODEV if no device.
)"},
      {"close", R"(Usage: mttyctl close UUID

Releases the handle taken by `open`. EBADF if none is held.
)"},
      {"read", R"(Usage: mttyctl read UUID REGION OFFSET [COUNT]

Reads COUNT (default 1, at most 4096) bytes at OFFSET of REGION and prints
them as hex bytes separated by spaces. REGION is bar0..bar5, rom, config,
vga or a region index; OFFSET is within the region (numbers may be decimal,
0x hex or 0 octal). The device splits the access into 4/2/1-byte pieces;
EFAULT for an access outside what the device decodes.
)"},
      {"write", R"(Usage: mttyctl write UUID REGION OFFSET BYTE...

Writes the bytes (each 0..255) at OFFSET of REGION, as one write(2) on the
device. Example: `write U bar0 0x0 0x41` sends 'A' to the first UART.
)"},
      {"ioctl", R"(Usage: mttyctl ioctl UUID SUBCOMMAND [ARGS]

  get-info                     VFIO_DEVICE_GET_INFO
  get-region-info INDEX        VFIO_DEVICE_GET_REGION_INFO
  get-irq-info INDEX           VFIO_DEVICE_GET_IRQ_INFO (GET_INFO first:
                               the sample's quirk)
  set-irqs FLAGS INDEX START COUNT [VALUE...]
                               VFIO_DEVICE_SET_IRQS; VALUEs are bytes for
                               DATA_BOOL (0x2) and fds for DATA_EVENTFD (0x4);
                               FLAGS e.g. 0x24 = TRIGGER|DATA_EVENTFD
  reset                        VFIO_DEVICE_RESET
  mig-state [STATE]            get or set the migration state: stop, running,
                               stop-copy, resuming, running-p2p, pre-copy,
                               pre-copy-p2p (error cannot be set)
  mig-data-size                VFIO_DEVICE_FEATURE_MIG_DATA_SIZE
Results are printed as `name value` pairs, numbers in hex where vfio.h uses
flags.
)"},
      {"time", R"(Usage: mttyctl time UUID NS

Advances the device's virtual clock by NS nanoseconds (drives the 16550A
character timeout).
)"},
      {"state", R"(Usage: mttyctl state UUID

Prints the device's debug state: one line per port plus IRQ and migration
state.
)"},
      {"eventfd", R"(Usage: mttyctl eventfd FD

Makes FD a fake eventfd of this session (a counter, not a real descriptor),
so `ioctl U set-irqs 0x24 0 0 1 FD` can wire INTx to it. Numbers never
registered are EBADF to SET_IRQS.
)"},
      {"signals", R"(Usage: mttyctl signals FD

Prints how many times the fake eventfd FD has been signalled.
)"},
      {"sysfs-read", R"(Usage: mttyctl sysfs-read PATH

Prints a file of the sysfs view, byte for byte. PATH is relative to the
parent device directory: mdev_supported_types/mtty-2/name,
UUID/vendor/sample_mdev_dev, ... Links print the name of their target.
EACCES for write-only files, EISDIR for directories, ENOENT if absent.
)"},
      {"sysfs-write", R"(Usage: mttyctl sysfs-write PATH DATA

One write(2) of DATA to a file of the sysfs view; prints the byte count the
attribute consumed. E.g. inside exec:
  sysfs-write mdev_supported_types/mtty-2/create "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n"
  sysfs-write 83b8f4f2-509f-382f-3c1e-e6bfe0fa1001/remove 1
EACCES for read-only files.
)"},
      {"sysfs-list", R"(Usage: mttyctl sysfs-list [PATH]

Lists a directory of the sysfs view (default: the parent directory), one
name per line, sorted.
)"},
      {"echo", R"(Usage: mttyctl echo [TEXT...]

Prints TEXT, words separated by one space.
)"},
      {"help", R"(Usage: mttyctl help [COMMAND]

Prints the overview, or COMMAND's help.
)"},
  };
  return *help;
}

}  // namespace mtty::mttyctl
