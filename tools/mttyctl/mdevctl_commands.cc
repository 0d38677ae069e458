// Copyright mtty-lab authors.
#include "tools/mttyctl/mdevctl_commands.h"

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/mdev_parent.h"
#include "core/status.h"
#include "core/uart16550.h"
#include "core/uuid.h"

namespace mtty::mttyctl {
namespace {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

Outcome RunTypes(Session& session, const Args& args) {
  MdevParent& parent = session.parent();
  ParsedOptions o;
  if (auto bad = ParseOptions(
          args,
          {{"parent", 'p', true}, {"dumpjson", 0, false}, {"json", 0, false}},
          &o)) {
    return *bad;
  }
  if (auto done = WantHelpOrArgs(o, "types", 0, 0)) return *done;
  const bool json = o.has("dumpjson") || o.has("json");
  const bool match = !o.has("parent") || *o.get("parent") == MdevParent::kName;
  if (json) {
    if (!match) {
      std::cout << "[]\n";
      return Ok();
    }
    std::string out = "[\n  {\n    " + JsonString(MdevParent::kName) + ": [\n";
    bool first = true;
    for (const MdevType& t : MdevParent::types()) {
      if (!first) out += ",\n";
      first = false;
      out += "      {\n        " + JsonString(t.name) + ": {\n";
      out += "          \"available_instances\": " +
             std::to_string(*parent.AvailableInstances(t.name)) + ",\n";
      out += "          \"device_api\": " + JsonString(MdevParent::kDeviceApi) +
             ",\n";
      out += "          \"name\": " + JsonString(t.pretty_name) + "\n";
      out += "        }\n      }";
    }
    out += "\n    ]\n  }\n]\n";
    std::cout << out;
    return Ok();
  }
  if (!match) return Ok();
  std::cout << MdevParent::kName << "\n";
  for (const MdevType& t : MdevParent::types()) {
    std::cout << "  " << t.name << "\n"
              << "    Available instances: "
              << *parent.AvailableInstances(t.name) << "\n"
              << "    Device API: " << MdevParent::kDeviceApi << "\n"
              << "    Name: " << t.pretty_name << "\n";
  }
  return Ok();
}

Outcome RunList(Session& session, const Args& args) {
  MdevParent& parent = session.parent();
  ParsedOptions o;
  if (auto bad = ParseOptions(args,
                              {{"uuid", 'u', true},
                               {"parent", 'p', true},
                               {"verbose", 'v', false},
                               {"dumpjson", 0, false},
                               {"json", 0, false}},
                              &o)) {
    return *bad;
  }
  if (auto done = WantHelpOrArgs(o, "list", 0, 0)) return *done;
  std::optional<Uuid> only;
  if (o.has("uuid")) {
    only = ParseUuidArg(*o.get("uuid"));
    if (!only) return BadUuid(*o.get("uuid"));
  }
  const bool parent_match =
      !o.has("parent") || *o.get("parent") == MdevParent::kName;
  std::vector<MdevParent::DeviceInfo> devices;
  if (parent_match) {
    for (const MdevParent::DeviceInfo& d : parent.List()) {
      if (!only || d.uuid == *only) devices.push_back(d);
    }
  }
  if (o.has("dumpjson") || o.has("json")) {
    auto object = [](const MdevParent::DeviceInfo& d, const std::string& pad) {
      return pad + "\"mdev_type\": " + JsonString(d.type->name) + ",\n" + pad +
             "\"start\": \"manual\",\n" + pad + "\"attrs\": []\n";
    };
    if (devices.empty()) {
      std::cout << "[]\n";
    } else if (only && !o.has("parent")) {
      std::cout << "{\n" << object(devices[0], "  ") << "}\n";
    } else {
      std::string out =
          "[\n  {\n    " + JsonString(MdevParent::kName) + ": [\n";
      for (size_t i = 0; i < devices.size(); ++i) {
        out += "      {\n        " + JsonString(devices[i].uuid.ToString()) +
               ": {\n" + object(devices[i], "          ") +
               "        }\n      }";
        out += i + 1 < devices.size() ? ",\n" : "\n";
      }
      out += "    ]\n  }\n]\n";
      std::cout << out;
    }
    return Ok();
  }
  for (const MdevParent::DeviceInfo& d : devices) {
    std::cout << d.uuid.ToString() << " " << MdevParent::kName << " "
              << d.type->name << " manual\n";
    if (o.has("verbose")) {
      std::cout << "  Profile: " << ProfileName(d.profile) << "\n"
                << "  Open handles: " << d.open_handles << "\n";
    }
  }
  return Ok();
}

Outcome RunStart(Session& session, const Args& args) {
  MdevParent& parent = session.parent();
  ParsedOptions o;
  if (auto bad = ParseOptions(args,
                              {{"uuid", 'u', true},
                               {"parent", 'p', true},
                               {"type", 't', true},
                               {"profile", 0, true}},
                              &o)) {
    return *bad;
  }
  if (auto done = WantHelpOrArgs(o, "start", 0, 0)) return *done;
  if (o.has("parent") && *o.get("parent") != MdevParent::kName) {
    return Fail(ENODEV,
                "Unable to find parent device '" + *o.get("parent") + "'");
  }
  if (!o.has("type")) {
    return Usage("Device is insufficiently specified (--type is required)");
  }
  const std::string type = *o.get("type");
  Uuid uuid;
  if (o.has("uuid")) {
    std::optional<Uuid> u = ParseUuidArg(*o.get("uuid"));
    if (!u) return BadUuid(*o.get("uuid"));
    uuid = *u;
  } else {
    uuid = Uuid::RandomV4();
  }
  Profile profile = Profile::kKernel;
  if (o.has("profile")) {
    std::optional<Profile> p = ParseProfile(*o.get("profile"));
    if (!p) {
      return Fail(EINVAL, "unknown profile '" + *o.get("profile") +
                              "' (want kernel or 16550a)");
    }
    profile = *p;
  }
  if (MdevParent::FindType(type) == nullptr) {
    return Fail(EINVAL, "Parent mtty does not support mdev type " + type);
  }
  Status s = parent.Create(type, uuid, profile);
  if (s.code() == -EEXIST) {
    Result<MdevParent::DeviceInfo> existing = parent.Find(uuid);
    if (existing.ok() && existing->type->name != type) {
      return Fail(s, "Device exists with different type");
    }
    return Fail(s, "Device already exists");
  }
  if (s.code() == -ENOSPC) {
    return Fail(s, "No available instances of " + type + " on mtty");
  }
  if (!s.ok()) return Fail(s, "Failed to create mdev " + uuid.ToString());
  if (!o.has("uuid")) std::cout << uuid.ToString() << "\n";
  return Ok();
}

Outcome RunStop(Session& session, const Args& args) {
  MdevParent& parent = session.parent();
  ParsedOptions o;
  if (auto bad = ParseOptions(args, {{"uuid", 'u', true}}, &o)) return *bad;
  if (auto done = WantHelpOrArgs(o, "stop", 0, 0)) return *done;
  if (!o.has("uuid")) return Usage("--uuid is required");
  std::optional<Uuid> uuid = ParseUuidArg(*o.get("uuid"));
  if (!uuid) return BadUuid(*o.get("uuid"));
  Status s = parent.Remove(*uuid);
  switch (-s.code()) {
    case 0:
      return Ok();
    case ENODEV:
      return Fail(s, "Device " + uuid->ToString() + " is not active");
    case EBUSY:
      return Fail(s, "Device " + uuid->ToString() +
                         " is open; close it before stopping it");
    case EAGAIN:
      return Fail(s,
                  "Device " + uuid->ToString() + " is already being removed");
    default:
      return Fail(s, "Error removing device " + uuid->ToString());
  }
}

}  // namespace mtty::mttyctl
