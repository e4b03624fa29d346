/** 组件与演示共用的简体中文文本（键与 shared-en.ts 一一对应；缺一个键即为类型错误）。 */
import type { Catalogue } from './translate';
import type { SharedKey } from './shared-en';

export const sharedZh: Catalogue<SharedKey> = {
  'progress.downloading': '正在下载模型…',
  'progress.downloadingBytes': '正在下载模型：{done} / {total}（{percent}%）',
  'progress.uploading': '正在把权重上传到 GPU…',
  'progress.compiled': '已编译 {n} 条 GPU 管线',
  'progress.compiling': '正在编译 GPU 着色器…',
  'progress.ready': '就绪',
  'component.bars': '标签，按可能性从高到低排列',
  'component.loading': '模型加载中',
  'error.details': '详情：',
  'error.unknown': '出了点问题。',
  'error.webgpu-unavailable': 'WebGPU 不可用：此浏览器没有向页面提供 GPU。请使用支持 WebGPU 的浏览器（Chrome 或 Edge 113+、Safari 26+、Firefox 141+），并开启硬件加速。',
  'error.device-lost': 'GPU 连接已丢失（驱动重置，或被系统收回）。请重试：Iris 会重新初始化 GPU。',
  'error.gpu-error': 'GPU 报告了错误，通常是显存不足以运行此模型。请关闭其他占用 GPU 的标签页，或选择更小的模型。',
  'error.non-finite': '模型在这块 GPU 上算出了无效数值（NaN 或无穷大）。请重试，或换一个模型或浏览器。',
  'error.safetensors-invalid': '权重文件已损坏，或不是 safetensors 文件。请在下方删除该模型后重新加载。',
  'error.tensor-missing': '权重文件缺少此模型需要的参数：它不是这种模型类型的检查点。',
  'error.tensor-shape': '权重文件中有参数的形状与此模型的配置不符。',
  'error.unsupported-model': 'Iris 无法运行这种类型的模型。请从列表中选择一个模型。',
  'error.bad-config': '模型的配置文件缺少字段或格式有误。',
  'error.bad-image': '无法使用这张图片：图片为空、无法解码，或尺寸过大。请换一张 PNG、JPEG 或 WebP 图片。',
  'error.bad-input': '输入无效。请检查各项填写后重试。',
  'error.tokenizer': '模型的分词器文件缺失或格式有误。',
  'error.download-failed': '下载失败。请检查网络连接后重试；内置的微型模型可以离线使用。',
  'error.integrity-mismatch': '下载到的文件与模型目录登记的不一致（大小或校验和不同），因此没有保留任何内容。请稍后重试，或换一个网络。',
  'error.aborted': '已取消。',
  'error.not-enough-storage': '此设备的存储空间不足以存放该模型。请删除不再需要的模型，或腾出磁盘空间。',
  'error.quota-exceeded': '浏览器拒绝为此网站存储更多数据。请删除不再需要的模型，或腾出磁盘空间。',
  'error.cache-corrupt': '一个已存储的文件未通过校验，已被删除。请重试：它会被重新下载。',
};
