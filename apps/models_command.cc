// depthforge models list|pull|verify
#include <cstdio>

#include "apps/commands.h"
#include "depthforge/core/error.h"
#include "depthforge/models/model_registry.h"
#include "depthforge/models/model_store.h"
#include "depthforge/util/progress.h"

namespace depthforge::cli {
namespace {

std::vector<const ModelSpec*> Select(const std::vector<std::string>& names) {
  const ModelRegistry& registry = ModelRegistry::Builtin();
  std::vector<const ModelSpec*> specs;
  if (names.empty()) {
    specs.push_back(&registry.Find(registry.default_model()));
  } else if (names.size() == 1 && names[0] == "all") {
    for (const auto& spec : registry.models()) specs.push_back(&spec);
  } else {
    for (const auto& name : names) specs.push_back(&registry.Find(name));
  }
  return specs;
}

}  // namespace

void AddModelsCommand(CLI::App& app) {
  CLI::App* models = app.add_subcommand("models", "List, download and verify the pretrained models");
  models->require_subcommand(1);
  CLI::App* list = models->add_subcommand("list", "List the known models and whether they are cached");
  CLI::App* pull = models->add_subcommand("pull", "Fetch models into the cache (mirror first, then the URL)");
  CLI::App* verify = models->add_subcommand("verify", "Re-check the sha256 of cached models");
  auto names = std::make_shared<std::vector<std::string>>();
  pull->add_option("names", *names, "Model names, or 'all' (default: the default model)");
  verify->add_option("names", *names, "Model names, or 'all' (default: every cached model)");

  list->callback([] {
    const ModelRegistry& registry = ModelRegistry::Builtin();
    ModelStore store(ModelStoreOptions::FromEnvironment());
    std::printf("%-29s %-7s %-9s %s\n", "NAME", "CACHED", "SIZE", "DESCRIPTION");
    for (const auto& spec : registry.models()) {
      std::string name = spec.name + (spec.name == registry.default_model() ? "*" : "");
      std::printf("%-29s %-7s %-9s %s\n", name.c_str(), store.IsCached(spec) ? "yes" : "no",
                  Progress::FormatAmount(double(spec.size), "B").c_str(), spec.description.c_str());
      std::printf("%-29s output %s; %s; licence %s\n", "", ToString(spec.output_kind).c_str(), spec.format.c_str(),
                  spec.licence.c_str());
      if (!spec.card.empty()) std::printf("%-29s %s\n", "", spec.card.c_str());
    }
    std::printf("(* = default; cache: %s)\n", store.CachePath(registry.models()[0]).c_str());
  });
  pull->callback([names] {
    ModelStore store(ModelStoreOptions::FromEnvironment());
    for (const ModelSpec* spec : Select(*names)) {
      ModelFile file = store.Ensure(*spec, /*rehash=*/true);
      std::printf("%s: %s (from %s, sha256 verified)\n", spec->name.c_str(), file.path.c_str(),
                  ToString(file.source).c_str());
    }
  });
  verify->callback([names] {
    const ModelRegistry& registry = ModelRegistry::Builtin();
    ModelStore store(ModelStoreOptions::FromEnvironment());
    int problems = 0;
    std::vector<const ModelSpec*> specs;
    if (names->empty()) {
      for (const auto& spec : registry.models()) if (store.IsCached(spec)) specs.push_back(&spec);
      if (specs.empty()) std::printf("no model is cached yet; run 'depthforge models pull'\n");
    } else {
      specs = Select(*names);
    }
    for (const ModelSpec* spec : specs) {
      std::string problem = store.VerifyCached(*spec);
      if (problem.empty()) {
        std::printf("%s: OK (%s)\n", spec->name.c_str(), store.CachePath(*spec).c_str());
      } else {
        std::printf("%s: FAILED: %s\n", spec->name.c_str(), problem.c_str());
        ++problems;
      }
    }
    if (problems > 0) throw CLI::RuntimeError(1);
  });
}

}  // namespace depthforge::cli
