/** Taking a photo with getUserMedia: a live preview in a <video>, one frame drawn to a canvas on "Take". */
import { byId } from './dom';

export interface CameraParts {
  onOpen(): void;
  onClose(): void;
  onPhoto(photo: Blob): void;
  onError(message: string): void;
}

export function setupCamera(parts: CameraParts): void {
  const video = byId<HTMLVideoElement>('camera-view');
  const start = byId<HTMLButtonElement>('camera-start');
  const shoot = byId<HTMLButtonElement>('camera-shoot');
  const stop = byId<HTMLButtonElement>('camera-stop');
  let stream: MediaStream | null = null;

  const close = () => {
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    shoot.hidden = stop.hidden = true;
    start.hidden = false;
    parts.onClose();
  };

  start.addEventListener('click', async () => {
    if (!navigator.mediaDevices?.getUserMedia) {
      parts.onError('This browser gives this page no camera (it needs https or localhost).');
      return;
    }
    try {
      // The back camera on phones; any camera elsewhere.
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (error) {
      const name = (error as DOMException).name;
      parts.onError(
        name === 'NotAllowedError' ? 'Camera permission was refused; allow it in the site settings to take a photo.'
          : name === 'NotFoundError' ? 'No camera was found.'
            : `The camera could not be opened (${name}).`,
      );
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play().catch(() => undefined);
    start.hidden = true;
    shoot.hidden = stop.hidden = false;
    parts.onOpen();
    shoot.focus();
  });

  shoot.addEventListener('click', () => {
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    close();
    canvas.toBlob((blob) => (blob ? parts.onPhoto(blob) : parts.onError('The photo could not be taken.')), 'image/jpeg', 0.92);
    start.focus();
  });

  stop.addEventListener('click', () => {
    close();
    start.focus();
  });
}
