export { type ExportOnnxOptions, exportOnnx, ONNX_MODEL_FILE } from './export-onnx';
