#include "depthforge/train/trainer.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "depthforge/core/error.h"
#include "depthforge/estimate/joint_bilateral_upsample.h"
#include "depthforge/io/image_io.h"
#include "depthforge/models/model_registry.h"
#include "depthforge/models/model_store.h"
#include "depthforge/models/torch_network.h"
#include "depthforge/io/ordinal_labels.h"
#include "depthforge/io/rgbd_dataset.h"
#include "depthforge/models/torch_modules.h"
#include "depthforge/util/atomic_file.h"
#include "depthforge/util/interrupt.h"
#include "depthforge/util/paths.h"
#include "depthforge/util/progress.h"

namespace depthforge {
namespace fs = std::filesystem;


namespace {

// The device name is LibTorch's to parse, so it is checked here rather
// than in TrainOptions::Check.
void CheckDevice(const std::string& device) {
  try {
    torch::Device parsed(device);
    if (parsed.is_cuda() && !torch::cuda::is_available()) {
      throw OptionError("device '" + device + "': this build of LibTorch has no CUDA support, or no GPU is visible; use --device cpu");
    }
    if (!parsed.is_cpu() && !parsed.is_cuda()) throw OptionError("device '" + device + "' is not supported; use cpu or cuda");
  } catch (const c10::Error&) {
    throw OptionError("device '" + device + "' is not a device name (cpu, cuda, cuda:1)");
  }
}

// Deterministic per-(seed, epoch, item) randomness, so a resumed run draws
// exactly what the uninterrupted one would have.
uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  return x ^ (x >> 29);
}

std::vector<size_t> EpochOrder(size_t n, uint64_t seed, int epoch) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(Mix(seed, uint64_t(epoch)));
  std::shuffle(order.begin(), order.end(), rng);
  return order;
}

struct Batch {
  torch::Tensor input, target;
};

Batch MakeBatch(const RgbdDataset& data, const std::vector<size_t>& items, const NetworkConfig& config,
                const AugmentOptions& augment, uint64_t seed, int epoch) {
  std::vector<torch::Tensor> inputs, targets;
  cv::Size size(config.input_width, config.input_height);
  for (size_t index : items) {
    RgbdSample prepared = PrepareSample(data.Get(index), size, augment, Mix(Mix(seed, uint64_t(epoch)), index));
    inputs.push_back(PhotoToInput(prepared.image, config));
    // Inside the tensors unknown is 0: the losses mask target > 0, and a NaN
    // would reach the gradients through the unmasked arithmetic.
    cv::Mat1f depth = prepared.depth.clone();
    for (float& v : depth) if (!std::isfinite(v)) v = 0.f;
    targets.push_back(torch::from_blob(depth.data, {1, 1, depth.rows, depth.cols}).clone());
  }
  return {torch::cat(inputs), torch::cat(targets)};
}

// Photos with ordinal pairs and metric points, at the network's input size;
// the labelled places as flat indices into the batch's output.
struct OrdinalBatch {
  torch::Tensor input;
  torch::Tensor pair_a, pair_b;  // int64 indices
  torch::Tensor pair_sign;       // +1: a is closer, -1: b is closer, 0: equal
  torch::Tensor point_index, point_depth;
  int64_t labels = 0;
};

OrdinalBatch MakeOrdinalBatch(const OrdinalLabels& labels, const std::vector<size_t>& items, const NetworkConfig& config) {
  const int width = config.input_width, height = config.input_height;
  std::vector<torch::Tensor> inputs;
  std::vector<int64_t> a, b, point_index;
  std::vector<float> sign, point_depth;
  for (size_t k = 0; k < items.size(); ++k) {
    const LabeledImage& image = labels.images[items[k]];
    cv::Mat3b photo = ReadImage(labels.ImagePath(image));
    const double sx = double(width) / photo.cols, sy = double(height) / photo.rows;
    cv::Mat3b sized;
    cv::resize(photo, sized, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    inputs.push_back(PhotoToInput(sized, config));
    // Pixel centres map as (x + 0.5) * scale - 0.5.
    auto flat = [&](cv::Point2f point) {
      const int x = std::clamp(int(std::lround((point.x + 0.5) * sx - 0.5)), 0, width - 1);
      const int y = std::clamp(int(std::lround((point.y + 0.5) * sy - 0.5)), 0, height - 1);
      return int64_t(k) * width * height + int64_t(y) * width + x;
    };
    for (const OrdinalPair& pair : image.pairs) {
      if (!pair.confirmed) continue;
      a.push_back(flat(pair.a));
      b.push_back(flat(pair.b));
      sign.push_back(pair.closer == Closer::kA ? 1.f : pair.closer == Closer::kB ? -1.f : 0.f);
    }
    for (const DepthPoint& point : image.points) {
      point_index.push_back(flat(point.at));
      point_depth.push_back(float(point.depth));
    }
  }
  auto longs = [](const std::vector<int64_t>& v) { return torch::tensor(v, torch::kInt64); };
  auto floats = [](const std::vector<float>& v) { return torch::tensor(v, torch::kFloat32); };
  return {torch::cat(inputs), longs(a), longs(b), floats(sign), longs(point_index), floats(point_depth),
          int64_t(a.size() + point_index.size())};
}

// Chen et al. 2016 on log depth z: log(1 + exp(z_a - z_b)) when a is
// closer (its depth should be the smaller), the mirror when b is, (z_a -
// z_b)^2 when equal; plus L1 on the metric points.
torch::Tensor OrdinalLoss(const torch::Tensor& prediction, const OrdinalBatch& batch) {
  const auto device = prediction.device();
  const torch::Tensor depth = prediction.flatten();
  torch::Tensor loss = torch::zeros({}, prediction.options());
  if (batch.pair_a.numel() > 0) {
    const torch::Tensor z = torch::log(depth.clamp_min(1e-3));
    const torch::Tensor difference = z.index_select(0, batch.pair_a.to(device)) - z.index_select(0, batch.pair_b.to(device));
    const torch::Tensor sign = batch.pair_sign.to(device);
    const torch::Tensor ordered = torch::nn::functional::softplus(sign * difference);
    loss = loss + torch::where(sign == 0, difference * difference, ordered).mean();
  }
  if (batch.point_index.numel() > 0) {
    loss = loss + (depth.index_select(0, batch.point_index.to(device)) - batch.point_depth.to(device)).abs().mean();
  }
  return loss;
}

double LearningRate(const TrainOptions& o, int epoch, int batch, int batches_per_epoch) {
  double progress = (epoch + double(batch) / batches_per_epoch) / o.epochs;
  if (o.schedule == "cosine") return o.learning_rate * 0.5 * (1 + std::cos(CV_PI * progress));
  if (o.schedule == "step") return o.learning_rate * std::pow(0.5, std::floor(progress * 3));
  return o.learning_rate;
}

struct Checkpoint {
  int epoch = 0, batch = 0;
  double epoch_loss_sum = 0;
  int epoch_batches = 0;
  int64_t epoch_valid_pixels = 0;  // ground-truth pixels the loss saw this epoch
  double best_val = INFINITY;
  std::vector<EpochLog> log;
};

nlohmann::json LogToJson(const std::vector<EpochLog>& log) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& e : log) {
    rows.push_back({{"epoch", e.epoch}, {"train_loss", e.train_loss}, {"val_loss", e.val_loss},
                    {"val_abs_rel", e.val_abs_rel}, {"val_delta1", e.val_delta1}, {"learning_rate", e.learning_rate},
                    {"seconds", e.seconds}});
  }
  return rows;
}

std::vector<EpochLog> LogFromJson(const nlohmann::json& rows) {
  // What was not computed is stored as null.
  auto number = [](const nlohmann::json& value) { return value.is_number() ? value.get<double>() : double(NAN); };
  std::vector<EpochLog> log;
  for (const auto& r : rows) {
    EpochLog e;
    e.epoch = r.at("epoch").get<int>();
    e.train_loss = number(r.at("train_loss"));
    e.val_loss = number(r.at("val_loss"));
    e.val_abs_rel = number(r.at("val_abs_rel"));
    e.val_delta1 = number(r.at("val_delta1"));
    e.learning_rate = number(r.at("learning_rate"));
    e.seconds = number(r.at("seconds"));
    log.push_back(e);
  }
  return log;
}

void SaveCheckpoint(const std::string& path, const NetworkConfig& config, DepthNetworkImpl& network,
                    torch::optim::Adam& optimizer, const Checkpoint& state) {
  WriteAtomically(path, [&](const std::string& temp) {
    torch::serialize::OutputArchive archive, model_archive, optimizer_archive;
    network.save(model_archive);
    optimizer.save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    nlohmann::json json = {{"config", config.ToJson()}, {"epoch", state.epoch}, {"batch", state.batch},
                           {"epoch_loss_sum", state.epoch_loss_sum}, {"epoch_batches", state.epoch_batches},
                           {"epoch_valid_pixels", state.epoch_valid_pixels},
                           {"best_val", std::isfinite(state.best_val) ? state.best_val : -1.0},
                           {"log", LogToJson(state.log)}};
    archive.write("state", c10::IValue(json.dump()));
    archive.save_to(temp);
  });
}

Checkpoint LoadCheckpoint(const std::string& path, const NetworkConfig& config, DepthNetworkImpl& network,
                          torch::optim::Adam& optimizer) {
  torch::serialize::InputArchive archive, model_archive, optimizer_archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error&) {
    throw FileError(path, "not a readable checkpoint");
  }
  c10::IValue text;
  if (!archive.try_read("state", text)) throw FileError(path, "checkpoint has no state");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text.toStringRef());
  } catch (const nlohmann::json::exception& e) {
    throw FileError(path, std::string("damaged checkpoint (its state does not parse: ") + e.what() + ")");
  }
  if (!json.is_object() || !json.contains("config") || !json["config"].is_string()) {
    throw FileError(path, "damaged checkpoint: its state has no settings");
  }
  if (json["config"].get<std::string>() != config.ToJson()) {
    throw FileError(path, "checkpoint was made with other settings (" + json["config"].get<std::string>() + ")");
  }
  Checkpoint state;
  try {
    archive.read("model", model_archive);
    archive.read("optimizer", optimizer_archive);
    network.load(model_archive);
    optimizer.load(optimizer_archive);
  } catch (const c10::Error&) {
    throw FileError(path, "damaged checkpoint: its parameters do not match the network");
  }
  try {
    state.epoch = json.at("epoch").get<int>();
    state.batch = json.at("batch").get<int>();
    state.epoch_loss_sum = json.at("epoch_loss_sum").get<double>();
    state.epoch_batches = json.at("epoch_batches").get<int>();
    state.epoch_valid_pixels = json.value("epoch_valid_pixels", int64_t(1));  // older checkpoints: assume data
    double best = json.at("best_val").get<double>();
    state.best_val = best >= 0 ? best : INFINITY;
    state.log = LogFromJson(json.at("log"));
  } catch (const nlohmann::json::exception& e) {
    throw FileError(path, std::string("damaged checkpoint (a field is missing or of the wrong type: ") + e.what() + ")");
  }
  return state;
}

void WriteLogs(const std::string& run_dir, const std::vector<EpochLog>& log) {
  std::string csv = "epoch,train_loss,val_loss,val_abs_rel,val_delta1,learning_rate,seconds\n";
  char line[256];
  auto field = [](double value) {  // empty where nothing was computed
    char text[32] = "";
    if (std::isfinite(value)) std::snprintf(text, sizeof text, "%.6f", value);
    return std::string(text);
  };
  for (const auto& e : log) {
    std::snprintf(line, sizeof line, "%d,%.6f,%s,%s,%s,%.8f,%.2f\n", e.epoch, e.train_loss, field(e.val_loss).c_str(),
                  field(e.val_abs_rel).c_str(), field(e.val_delta1).c_str(), e.learning_rate, e.seconds);
    csv += line;
  }
  WriteFileBytes((fs::path(run_dir) / "log.csv").string(), csv);
  WriteFileBytes((fs::path(run_dir) / "log.json").string(), LogToJson(log).dump(2) + "\n");
  // The loss curve: training (blue) and validation (orange) loss per epoch.
  const int w = 640, h = 400, margin = 50;
  cv::Mat3b plot(h, w, cv::Vec3b(255, 255, 255));
  double hi = 0;
  for (const auto& e : log) hi = std::max({hi, e.train_loss, std::isfinite(e.val_loss) ? e.val_loss : 0.0});
  if (hi <= 0) hi = 1;
  auto point = [&](int i, double v) {
    double x = log.size() > 1 ? double(i) / double(log.size() - 1) : 0.5;
    return cv::Point(margin + int(x * (w - 2 * margin)), h - margin - int(v / hi * (h - 2 * margin)));
  };
  cv::rectangle(plot, {margin, margin}, {w - margin, h - margin}, cv::Scalar(180, 180, 180));
  for (size_t i = 0; i + 1 < log.size(); ++i) {
    cv::line(plot, point(int(i), log[i].train_loss), point(int(i + 1), log[i + 1].train_loss), cv::Scalar(200, 100, 0), 2, cv::LINE_AA);
    if (std::isfinite(log[i].val_loss) && std::isfinite(log[i + 1].val_loss)) cv::line(plot, point(int(i), log[i].val_loss), point(int(i + 1), log[i + 1].val_loss), cv::Scalar(0, 140, 255), 2, cv::LINE_AA);
  }
  cv::putText(plot, "loss per epoch: train (blue), validation (orange); max " + std::to_string(hi).substr(0, 6), {margin, 30},
              cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  WriteImage((fs::path(run_dir) / "loss.png").string(), plot);
}

struct Validation {
  double loss = 0, abs_rel = 0, delta1 = 0;
};

Validation Validate(DepthNetworkImpl& network, const RgbdDataset& data, const NetworkConfig& config, LossKind loss,
                    const torch::Device& device) {
  torch::NoGradGuard no_grad;
  network.eval();
  Validation v;
  AugmentOptions none;
  none.enabled = false;
  double pixels = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    Batch batch = MakeBatch(data, {i}, config, none, 0, 0);
    auto prediction = network.forward(batch.input.to(device)).to(torch::kCPU);
    v.loss += MaskedLoss(loss, prediction, batch.target).item<double>();
    auto mask = batch.target > 0;
    auto p = prediction.masked_select(mask), g = batch.target.masked_select(mask);
    if (g.numel() == 0) continue;
    v.abs_rel += ((p - g).abs() / g).sum().item<double>();
    v.delta1 += (torch::max(p / g, g / p) < 1.25).sum().item<double>();
    pixels += double(g.numel());
  }
  network.train();
  if (pixels == 0) {
    throw Error("the validation data has no valid ground truth (every depth is 0, unknown or above the maximum depth)");
  }
  v.loss /= std::max<size_t>(1, data.size());
  v.abs_rel /= pixels;
  v.delta1 /= pixels;
  return v;
}

}  // namespace

namespace {

c10::intrusive_ptr<c10d::ProcessGroupGloo> JoinProcessGroup(const DistributedOptions& d) {
  c10d::TCPStoreOptions store_options;
  store_options.port = uint16_t(d.master_port);
  store_options.isServer = d.rank == 0;
  store_options.numWorkers = d.world_size;
  store_options.waitWorkers = true;
  store_options.timeout = std::chrono::seconds(300);
  auto store = c10::make_intrusive<c10d::TCPStore>(d.master_addr, store_options);
  auto options = c10d::ProcessGroupGloo::Options::create();
  const char* interface = std::getenv("GLOO_SOCKET_IFNAME");
  options->devices.push_back(interface ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
                                       : c10d::ProcessGroupGloo::createDefaultDevice());
  return c10::make_intrusive<c10d::ProcessGroupGloo>(store, d.rank, d.world_size, options);
}

// Averages 'tensors' over the ranks, in place, with one all-reduce of
// their concatenation.
void AverageOverRanks(c10d::ProcessGroupGloo& group, std::vector<at::Tensor>& tensors, int world_size) {
  std::vector<at::Tensor> flat;
  for (auto& t : tensors) flat.push_back(t.reshape(-1));
  std::vector<at::Tensor> buffer{torch::cat(flat)};
  group.allreduce(buffer)->wait();
  buffer[0].div_(world_size);
  int64_t offset = 0;
  for (auto& t : tensors) {
    t.copy_(buffer[0].narrow(0, offset, t.numel()).view_as(t));
    offset += t.numel();
  }
}

}  // namespace

// Everything a run holds between batches; torch types stay in this file.
struct Trainer::State {
  TrainOptions options;
  const ModelStore& store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
  bool writer = true;  // rank 0 writes the files
  torch::Device device{torch::kCPU};
  std::unique_ptr<RgbdDataset> train, val;
  OrdinalLabels ordinal;  // photos with answered pairs or points
  NetworkConfig config;
  std::shared_ptr<DepthNetworkImpl> network;
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::string checkpoint_path;
  Checkpoint checkpoint;
  TrainResult result;
  int per_epoch = 0;
  int done_before = 0;  // batches finished before this call (resume)
  std::unique_ptr<Progress> progress;

  State(TrainOptions o, const ModelStore& s) : options(std::move(o)), store(s) {}
};

Trainer::Trainer(TrainOptions options, const ModelStore& store)
    : state_(std::make_unique<State>(std::move(options), store)) {
  state_->options.Check();
  CheckDevice(state_->options.device);
}

Trainer::~Trainer() = default;

void Trainer::Prepare() {
  State& s = *state_;
  const TrainOptions& options = s.options;
  const DistributedOptions& dist = options.distributed;
  if (dist.world_size > 1) s.group = JoinProcessGroup(dist);
  s.writer = dist.rank == 0;
  ConfigureTorchThreads(options.threads);
  s.device = torch::Device(options.device);
  DatasetOptions data_options;
  data_options.depth_scale = options.depth_scale;
  DatasetOptions train_options = data_options, val_options = data_options;
  if (!options.split_file.empty()) {
    train_options.indices = ReadNyuSplit(options.split_file, "train");
    val_options.indices = ReadNyuSplit(options.split_file, "test");
  }
  if (!options.train_data.empty()) s.train = OpenDataset(options.train_data, train_options);
  if (!options.ordinal_data.empty()) {
    OrdinalLabels all = ReadOrdinalLabels(options.ordinal_data);
    s.ordinal.base_dir = all.base_dir;
    for (const LabeledImage& image : all.images) {
      const bool answered = std::any_of(image.pairs.begin(), image.pairs.end(), [](const OrdinalPair& p) { return p.confirmed; });
      if (answered || !image.points.empty()) s.ordinal.images.push_back(image);
    }
    if (s.ordinal.images.empty()) {
      throw FileError(options.ordinal_data, "has no answered pair and no point to learn from (proposals count once confirmed)");
    }
  }
  if (!options.val_data.empty()) s.val = OpenDataset(options.val_data, val_options);
  EnsureWritableDirectory(options.run_dir);
  s.config.architecture = options.architecture;
  s.config.input_width = options.input_size.width;
  s.config.input_height = options.input_size.height;
  s.config.base_channels = options.base_channels;
  s.config.max_depth = options.max_depth;
  if (options.architecture == Architecture::kFastDepth) {
    const ModelRegistry& registry = ModelRegistry::Builtin();
    std::string path = registry.Contains(options.init_model) ? s.store.Ensure(registry.Find(options.init_model)).path
                                                             : options.init_model;
    s.config.tflite = ReadFileBytes(path);
    s.config.tflite_name = path;
  }

  torch::manual_seed(options.seed);
  s.network = BuildNetwork(s.config);
  s.network->to(s.device);
  if (s.group) {
    // Every rank starts from rank 0's weights.
    for (auto& p : s.network->parameters()) {
      std::vector<at::Tensor> one{p.data()};
      s.group->broadcast(one)->wait();
    }
  }
  s.optimizer = std::make_unique<torch::optim::Adam>(s.network->parameters(), torch::optim::AdamOptions(options.learning_rate));
  s.checkpoint_path = (fs::path(options.run_dir) / "checkpoint.pt").string();
  if (options.resume) {
    if (!fs::exists(s.checkpoint_path)) throw FileError(s.checkpoint_path, "nothing to resume: no checkpoint in this run directory");
    s.checkpoint = LoadCheckpoint(s.checkpoint_path, s.config, *s.network, *s.optimizer);
  } else if (s.writer && fs::exists(s.checkpoint_path)) {
    throw FileError(options.run_dir, "already holds a training run; use --resume to continue it, or another directory");
  }
  s.result.model_path = (fs::path(options.run_dir) / "model.pt").string();
  s.result.best_path = (fs::path(options.run_dir) / "best.pt").string();
  const size_t items = s.train ? s.train->size() : s.ordinal.images.size();
  s.per_epoch = int((items + size_t(options.batch_size) - 1) / size_t(options.batch_size));
  s.done_before = s.checkpoint.epoch * s.per_epoch + s.checkpoint.batch;
  s.progress = std::make_unique<Progress>("train " + ToString(options.architecture), s.per_epoch * options.epochs, "batch",
                                          options.show_progress && s.writer ? stderr : nullptr);
  s.progress->Set(s.done_before);
}

double Trainer::RunBatch(int epoch, int b, const std::vector<size_t>& order) {
  State& s = *state_;
  const TrainOptions& options = s.options;
  const DistributedOptions& dist = options.distributed;
  double lr = LearningRate(options, epoch, b, s.per_epoch);
  for (auto& group : s.optimizer->param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  std::vector<size_t> global(order.begin() + long(size_t(b) * size_t(options.batch_size)),
                             order.begin() + long(std::min(order.size(), size_t(b + 1) * size_t(options.batch_size))));
  // This rank's share of the global batch: every world_size-th item.
  std::vector<size_t> items;
  for (size_t i = size_t(dist.rank); i < global.size(); i += size_t(dist.world_size)) items.push_back(global[i]);
  if (items.empty()) items.push_back(global.front());  // a short last batch: keep every rank in step
  torch::Tensor loss = torch::zeros({}, torch::TensorOptions().device(s.device));
  if (s.train) {
    Batch batch = MakeBatch(*s.train, items, s.config, options.augment, options.seed, epoch);
    auto prediction = s.network->forward(batch.input.to(s.device));
    loss = loss + MaskedLoss(options.loss, prediction, batch.target.to(s.device));
    s.checkpoint.epoch_valid_pixels += (batch.target > 0).sum().item<int64_t>();
  }
  if (!s.ordinal.images.empty()) {
    // Alone, the epoch's order runs over the labelled photos; beside depth
    // data, they are taken in turn, as many as a batch.
    std::vector<size_t> photos = items;
    if (s.train) {
      const size_t n = s.ordinal.images.size(), start = size_t(epoch * s.per_epoch + b) * items.size();
      for (size_t i = 0; i < items.size(); ++i) photos[i] = (start + i) % n;
    }
    OrdinalBatch batch = MakeOrdinalBatch(s.ordinal, photos, s.config);
    auto prediction = s.network->forward(batch.input.to(s.device));
    loss = loss + float(s.train ? options.ordinal_weight : 1.0) * OrdinalLoss(prediction, batch);
    s.checkpoint.epoch_valid_pixels += batch.labels;
  }
  s.optimizer->zero_grad();
  loss.backward();
  double loss_value = loss.item<double>();
  if (s.group) {
    std::vector<at::Tensor> gradients;
    for (auto& p : s.network->parameters()) {
      if (p.grad().defined()) gradients.push_back(p.grad());
    }
    AverageOverRanks(*s.group, gradients, dist.world_size);
    std::vector<at::Tensor> shared_loss{torch::tensor({loss_value})};
    AverageOverRanks(*s.group, shared_loss, dist.world_size);
    loss_value = shared_loss[0].item<double>();
  }
  s.optimizer->step();
  return loss_value;
}

bool Trainer::RunEpoch(int epoch) {
  State& s = *state_;
  const TrainOptions& options = s.options;
  std::vector<size_t> order = EpochOrder(s.train ? s.train->size() : s.ordinal.images.size(), options.seed, epoch);
  for (int b = (epoch == s.checkpoint.epoch ? s.checkpoint.batch : 0); b < s.per_epoch; ++b) {
    double loss_value = RunBatch(epoch, b, order);
    Checkpoint& state = s.checkpoint;
    state.epoch_loss_sum += loss_value;
    state.epoch_batches += 1;
    state.epoch = epoch;
    state.batch = b + 1;
    ++s.result.batches_done;
    char note[48];
    std::snprintf(note, sizeof note, "loss %.4f", state.epoch_loss_sum / std::max(1, state.epoch_batches));
    s.progress->SetNote(note);
    s.progress->Set(s.done_before + s.result.batches_done);
    bool stop = (options.stop_after_batches > 0 && s.result.batches_done >= options.stop_after_batches) ||
                InterruptRequested();
    bool periodic = options.checkpoint_every > 0 && (epoch * s.per_epoch + b + 1) % options.checkpoint_every == 0;
    if (s.writer && (stop || periodic)) SaveCheckpoint(s.checkpoint_path, s.config, *s.network, *s.optimizer, state);
    if (stop) return false;
  }
  return true;
}

void Trainer::FinishEpoch(int epoch, double seconds) {
  State& s = *state_;
  Checkpoint& state = s.checkpoint;
  if (state.epoch_valid_pixels == 0) {
    throw Error("the training data has no valid depth (every pixel is 0, unknown or above the maximum depth): " +
                (s.options.train_data.empty() ? s.options.ordinal_data : s.options.train_data));
  }
  EpochLog entry;
  entry.epoch = epoch + 1;
  entry.train_loss = state.epoch_loss_sum / std::max(1, state.epoch_batches);
  entry.learning_rate = LearningRate(s.options, epoch, s.per_epoch - 1, s.per_epoch);
  entry.seconds = seconds;
  if (s.val && s.writer) {
    Validation v = Validate(*s.network, *s.val, s.config, s.options.loss, s.device);
    entry.val_loss = v.loss;
    entry.val_abs_rel = v.abs_rel;
    entry.val_delta1 = v.delta1;
  }
  state.log.push_back(entry);
  double score = s.val ? entry.val_loss : entry.train_loss;
  bool best = score < state.best_val;
  if (best) state.best_val = score;
  state.epoch = epoch + 1;
  state.batch = 0;
  state.epoch_loss_sum = 0;
  state.epoch_batches = 0;
  state.epoch_valid_pixels = 0;
  if (s.writer) {
    SaveModel(s.result.model_path, s.config, *s.network);
    if (best) SaveModel(s.result.best_path, s.config, *s.network);
    SaveCheckpoint(s.checkpoint_path, s.config, *s.network, *s.optimizer, state);
    WriteLogs(s.options.run_dir, state.log);
  }
}

TrainResult Trainer::Run() {
  Prepare();
  State& s = *state_;
  s.network->train();
  for (int epoch = s.checkpoint.epoch; epoch < s.options.epochs; ++epoch) {
    auto epoch_start = std::chrono::steady_clock::now();
    if (!RunEpoch(epoch)) {
      s.result.stopped = true;
      s.result.epochs = s.checkpoint.log;
      return s.result;
    }
    FinishEpoch(epoch, std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count());
  }
  s.progress->Finish();
  s.result.epochs = s.checkpoint.log;
  return s.result;
}

}  // namespace depthforge

// The entry point RunTraining (training_run.h) finds in this library.
extern "C" void depthforge_torch_train(const depthforge::TrainOptions* options, const depthforge::ModelStore* store,
                                       depthforge::TrainResult* result) {
  *result = depthforge::Trainer(*options, *store).Run();
}
