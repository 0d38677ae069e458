// Copyright mtty-lab authors.
#include "tools/mttyctl/sysfs_commands.h"

#include <cstddef>
#include <iostream>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/sysfs.h"

namespace mtty::mttyctl {

Outcome RunSysfsRead(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "sysfs-read", 1, 1)) return *done;
  Result<std::string> r = session.sysfs().Read(o.positional[0]);
  if (!r.ok()) return Fail(r.status(), "cannot read " + o.positional[0]);
  std::string s = *r;
  if (s.empty() || s.back() != '\n') s += '\n';  // links have no newline
  std::cout << s;
  return Ok();
}

Outcome RunSysfsWrite(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "sysfs-write", 2, 2)) return *done;
  Result<size_t> n = session.sysfs().Write(o.positional[0], o.positional[1]);
  if (!n.ok()) return Fail(n.status(), "cannot write " + o.positional[0]);
  std::cout << *n << "\n";
  return Ok();
}

Outcome RunSysfsList(Session& session, const Args& args) {
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "sysfs-list", 0, 1)) return *done;
  const std::string path = o.positional.empty() ? "" : o.positional[0];
  Result<std::vector<std::string>> names = session.sysfs().List(path);
  if (!names.ok()) {
    return Fail(names.status(), "cannot list '" + path + "'");
  }
  for (const std::string& n : *names) std::cout << n << "\n";
  return Ok();
}

}  // namespace mtty::mttyctl
